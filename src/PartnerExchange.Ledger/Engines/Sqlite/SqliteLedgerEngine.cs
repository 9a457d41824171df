using Microsoft.Extensions.Logging;
using PartnerExchange.Ledger.Stores;

namespace PartnerExchange.Ledger.Engines.Sqlite;

/// <summary>The embedded engine: one SQLite file in WAL mode, one writer connection, checkpoints on a thread of their own.</summary>
internal sealed class SqliteLedgerEngine(LedgerDatabase database, LedgerOptions options) : ILedgerEngine
{
    public LedgerWriteTransaction OpenWriteTransaction(TimeProvider clock) => SqliteWriteTransaction.Open(database, clock);

    public IWriterUpkeep? StartUpkeep(ILogger logger) =>
        options.CheckpointInterval > TimeSpan.Zero
            ? new WalCheckpointer(database.OpenCheckpointConnection(), options.CheckpointInterval, logger)
            : null;
}
