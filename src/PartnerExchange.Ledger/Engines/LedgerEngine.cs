using Microsoft.Extensions.Logging;
using PartnerExchange.Ledger.Stores;

namespace PartnerExchange.Ledger.Engines;

/// <summary>
/// The storage engine a ledger runs on: what the single writer opens its write transaction (and the stores
/// behind it) and its background upkeep with. Each engine is a folder beside this file (Sqlite/, Postgres/);
/// commands and planners never know which one runs them.
/// </summary>
internal interface ILedgerEngine
{
    /// <summary>Opens the writer's write transaction, with its own connection, for the writer's whole life.</summary>
    LedgerWriteTransaction OpenWriteTransaction(TimeProvider clock);

    /// <summary>Starts the engine's upkeep after commits (SQLite: WAL checkpoints), or null when it needs none.</summary>
    IWriterUpkeep? StartUpkeep(ILogger logger);
}

/// <summary>Work an engine does beside the writer, told of every commit.</summary>
internal interface IWriterUpkeep : IDisposable
{
    /// <summary>Called after every commit; cheap.</summary>
    void NoteCommit();
}
