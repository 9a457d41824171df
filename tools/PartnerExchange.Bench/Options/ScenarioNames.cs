namespace PartnerExchange.Bench.Options;

/// <summary>The scenarios the benchmark knows, in their default order.</summary>
internal static class ScenarioNames
{
    public const string Ping = "ping";
    public const string Balance = "balance";
    public const string Accrue = "accrue";
    public const string Convert = "convert";
    public const string ConvertHot = "convert-hot";
    public const string Mixed = "mixed";
    public const string Retry = "retry";

    /// <summary>Accruals while an operator's long jobs run (see JobsAlongside); only when named, as it changes the programs' policies.</summary>
    public const string AccrueDuringJobs = "accrue-during-jobs";

    public static readonly IReadOnlyList<string> All = [Ping, Balance, Accrue, Convert, ConvertHot, Mixed, Retry];

    private static readonly IReadOnlyList<string> Known = [.. All, AccrueDuringJobs];

    public static string Parse(string name) =>
        Known.Contains(name)
            ? name
            : throw new FormatException($"'{name}' is not a scenario; choose from {string.Join(", ", Known)}.");
}
