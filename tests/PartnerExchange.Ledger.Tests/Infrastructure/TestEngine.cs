namespace PartnerExchange.Ledger.Tests.Infrastructure;

/// <summary>
/// The engine the ledger tests' writer runs on, chosen here alone (PX_TEST_LEDGER_ENGINE: sqlite, the default, or
/// postgres, on a database of the test run's own cluster per ledger; see <see cref="LedgerHarness"/>). The property
/// tests (trait <see cref="ContractCategory"/>: the ledger, rate-change and lot properties) are the contract every
/// engine passes: <c>PX_TEST_LEDGER_ENGINE=postgres dotnet test --filter Category=EngineContract</c>.
/// </summary>
internal static class TestEngine
{
    /// <summary>The trait value of the engine contract suite.</summary>
    public const string ContractCategory = "EngineContract";

    public static string Name { get; } = Environment.GetEnvironmentVariable("PX_TEST_LEDGER_ENGINE") ?? "sqlite";

    /// <summary>Whether the harness's ledger is a PostgreSQL database (else a SQLite file).</summary>
    public static bool IsPostgres { get; } = Name switch
    {
        "sqlite" => false,
        "postgres" => true,
        _ => throw new NotSupportedException($"PX_TEST_LEDGER_ENGINE={Name} names no engine these tests know."),
    };
}
