using Microsoft.Extensions.Logging;
using Npgsql;
using PartnerExchange.Ledger.Stores;

namespace PartnerExchange.Ledger.Engines.Postgres;

/// <summary>
/// The engine past one machine: a PostgreSQL database that several exchange servers share, each with its own single
/// writer on one session of <paramref name="dataSource"/> (the caller owns and disposes the data source). Groups of
/// all servers commit one at a time under the ledger's advisory lock (see <see cref="PostgresWriteTransaction"/>);
/// PostgreSQL needs no upkeep beside the writer (its own checkpointer and autovacuum do that work).
/// </summary>
internal sealed class PostgresLedgerEngine(NpgsqlDataSource dataSource, LedgerOptions options) : ILedgerEngine
{
    public LedgerWriteTransaction OpenWriteTransaction(TimeProvider clock) => new PostgresWriteTransaction(dataSource, options, clock);

    public IWriterUpkeep? StartUpkeep(ILogger logger) => null;
}
