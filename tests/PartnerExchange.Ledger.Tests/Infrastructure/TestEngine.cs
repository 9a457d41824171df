using PartnerExchange.Ledger.Engines;
using PartnerExchange.Ledger.Engines.Sqlite;

namespace PartnerExchange.Ledger.Tests.Infrastructure;

/// <summary>
/// The engine the ledger tests' writer runs on, chosen here alone (PX_TEST_LEDGER_ENGINE, default sqlite). The
/// property tests (trait <see cref="ContractCategory"/>: the ledger, rate-change and lot properties) are the contract
/// every engine passes: a new engine adds its case here and runs <c>dotnet test --filter Category=EngineContract</c>.
/// </summary>
internal static class TestEngine
{
    /// <summary>The trait value of the engine contract suite.</summary>
    public const string ContractCategory = "EngineContract";

    public static string Name { get; } = Environment.GetEnvironmentVariable("PX_TEST_LEDGER_ENGINE") ?? "sqlite";

    /// <summary>The engine the harness's writer runs on, over the harness's migrated database.</summary>
    public static ILedgerEngine Create(LedgerDatabase database, LedgerOptions options) => Name switch
    {
        "sqlite" => new SqliteLedgerEngine(database, options),
        _ => throw new NotSupportedException($"PX_TEST_LEDGER_ENGINE={Name} names no engine these tests know."),
    };
}
