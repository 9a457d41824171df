using PartnerExchange.Ledger.Engines.Postgres;
using PartnerExchange.Ledger.Engines.Sqlite;
using PartnerExchange.Ledger.Storage;

namespace PartnerExchange.Ledger.Engines;

/// <summary>The one place that picks the writer's engine for a ledger's database.</summary>
internal static class LedgerEngines
{
    /// <summary>The engine of <paramref name="database"/>'s <see cref="LedgerDatabase.Engine"/>, for the single writer.</summary>
    public static ILedgerEngine Create(LedgerDatabase database, LedgerOptions options) => database.Engine switch
    {
        LedgerEngine.Sqlite => new SqliteLedgerEngine(database, options),
        LedgerEngine.Postgres => new PostgresLedgerEngine(database.PostgresWriterSource, options),
        var other => throw new ArgumentOutOfRangeException(nameof(database), other, "Not a ledger engine."),
    };
}
