using PartnerExchange.Ledger.Stores;

namespace PartnerExchange.Ledger.Engines.Sqlite;

/// <summary>The settlement tables: periods, statements, statement lines and payments.</summary>
internal sealed class SqliteSettlementStore(SqliteWriteTransaction tx) : ISettlementStore
{
    public long LatestClosedPeriodEndMicros() =>
        tx.Scalar("SELECT end_micros FROM settlement_periods ORDER BY start_micros DESC LIMIT 1") ?? 0;
}
