namespace PartnerExchange.Bench.Network;

/// <summary>A program of the benchmark network and its partner key.</summary>
internal sealed record BenchProgram(string Code, Credential Credential);

/// <summary>
/// The network the scenarios load: four programs with rates between every pair, a partner key each, the same
/// member numbers enrolled in every program, and one "hot" member per program for convert-hot.
/// </summary>
internal sealed class BenchNetwork(string runId, IReadOnlyList<BenchProgram> programs, int membersPerProgram, Credential operatorCredential)
{
    /// <summary>The member every program has for convert-hot: four hot members in all, one per program.</summary>
    public const string HotMemberNumber = "HOT";

    /// <summary>Short and random, so idempotency keys and program codes never meet an earlier run's on the same server.</summary>
    public string RunId { get; } = runId;

    public IReadOnlyList<BenchProgram> Programs { get; } = programs;
    public int MembersPerProgram { get; } = membersPerProgram;

    /// <summary>The operator's key, for the jobs some scenarios run beside their load.</summary>
    public Credential Operator { get; } = operatorCredential;
    public AcknowledgedWrites Acknowledged { get; } = new();

    public static string MemberNumber(int index) => $"M{index:D6}";
}
