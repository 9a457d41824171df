using PartnerExchange.Ledger.Stores;
using PartnerExchange.Ledger.Writing;

namespace PartnerExchange.Ledger.Engines.Sqlite;

/// <summary>The events and event_retention tables; an event's cursor is its row id, given in commit order.</summary>
internal sealed class SqliteEventOutbox(SqliteWriteTransaction tx) : IEventOutbox
{
    public void Append(NewEvent e) =>
        tx.Execute(
            "INSERT INTO events (program_code, kind, occurred_at_micros, member_number, points, balance_points, transaction_id, " +
            "reverses_transaction_id, counterparty_program_code, expires_at_micros, warning_days, from_program_code, " +
            "to_program_code, rate_version) VALUES ($program, $kind, $now, $member, $points, $balance, $tx, $reverses, " +
            "$counterparty, $expires, $days, $from, $to, $version)",
            ("$program", e.ProgramCode), ("$kind", (int)e.Kind), ("$now", tx.NowMicros), ("$member", e.MemberNumber),
            ("$points", e.Points), ("$balance", e.BalancePoints), ("$tx", e.TransactionId), ("$reverses", e.ReversesTransactionId),
            ("$counterparty", e.CounterpartyProgramCode), ("$expires", e.ExpiresAtMicros), ("$days", e.WarningDays),
            ("$from", e.FromProgramCode), ("$to", e.ToProgramCode), ("$version", e.RateVersion));

    public IEnumerable<OutboxEntry> Oldest(long afterCursor, int limit)
    {
        using var reader = tx.Query(
            "SELECT cursor, occurred_at_micros, program_code, transaction_id FROM events WHERE cursor > $after ORDER BY cursor LIMIT $limit",
            ("$after", afterCursor), ("$limit", limit));
        while (reader.Read())
        {
            yield return new OutboxEntry(reader.GetInt64(0), reader.GetInt64(1), reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3));
        }
    }

    public int DeleteThrough(long afterCursor, long throughCursor) =>
        tx.Execute("DELETE FROM events WHERE cursor > $after AND cursor <= $through", ("$after", afterCursor), ("$through", throughCursor));

    public (long Cursor, long Sequence) PrunedThrough(string programCode)
    {
        using var reader = tx.Query(
            "SELECT pruned_through_cursor, pruned_through_sequence FROM event_retention WHERE program_code = $program", ("$program", programCode));
        return reader.Read() ? (reader.GetInt64(0), reader.GetInt64(1)) : (0, 0);
    }

    public void RecordPruned(string programCode, long cursor, long sequence) =>
        tx.Execute(
            "INSERT INTO event_retention (program_code, pruned_through_cursor, pruned_through_sequence, pruned_at_micros) " +
            "VALUES ($program, $cursor, $seq, $now) ON CONFLICT (program_code) DO UPDATE SET pruned_through_cursor = $cursor, " +
            "pruned_through_sequence = $seq, pruned_at_micros = $now",
            ("$program", programCode), ("$cursor", cursor), ("$seq", sequence), ("$now", tx.NowMicros));
}
