using PartnerExchange.Ledger.Stores;
using PartnerExchange.Ledger.Writing;

namespace PartnerExchange.Ledger.Engines.Postgres;

/// <summary>
/// The events and event_retention tables. An event's cursor is its identity, taken as the row is inserted: under the
/// ledger's write lock groups of every server insert and commit one after another, so cursors follow commit order
/// (a rolled-back request leaves a gap in cursors, never a reordering; cursors need no more).
/// </summary>
internal sealed class PostgresEventOutbox(PostgresWriteTransaction tx) : IEventOutbox
{
    public void Append(NewEvent e) =>
        tx.Execute(
            "INSERT INTO events (program_code, kind, occurred_at_micros, member_number, points, balance_points, transaction_id, " +
            "reverses_transaction_id, counterparty_program_code, expires_at_micros, warning_days, from_program_code, " +
            "to_program_code, rate_version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
            e.ProgramCode, (int)e.Kind, tx.NowMicros, e.MemberNumber, e.Points, e.BalancePoints, e.TransactionId, e.ReversesTransactionId,
            e.CounterpartyProgramCode, e.ExpiresAtMicros, e.WarningDays, e.FromProgramCode, e.ToProgramCode, e.RateVersion);

    public IEnumerable<OutboxEntry> Oldest(long afterCursor, int limit)
    {
        // Read whole before the caller goes on: the writer's session runs one statement at a time.
        var entries = new List<OutboxEntry>();
        using var reader = tx.Query(
            "SELECT cursor, occurred_at_micros, program_code, transaction_id FROM events WHERE cursor > $1 ORDER BY cursor LIMIT $2",
            afterCursor, limit);
        while (reader.Read())
        {
            entries.Add(new OutboxEntry(reader.GetInt64(0), reader.GetInt64(1), reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3)));
        }
        return entries;
    }

    public int DeleteThrough(long afterCursor, long throughCursor) =>
        tx.Execute("DELETE FROM events WHERE cursor > $1 AND cursor <= $2", afterCursor, throughCursor);

    public (long Cursor, long Sequence) PrunedThrough(string programCode)
    {
        using var reader = tx.Query(
            "SELECT pruned_through_cursor, pruned_through_sequence FROM event_retention WHERE program_code = $1", programCode);
        return reader.Read() ? (reader.GetInt64(0), reader.GetInt64(1)) : (0, 0);
    }

    public void RecordPruned(string programCode, long cursor, long sequence) =>
        tx.Execute(
            "INSERT INTO event_retention (program_code, pruned_through_cursor, pruned_through_sequence, pruned_at_micros) " +
            "VALUES ($1, $2, $3, $4) ON CONFLICT (program_code) DO UPDATE SET pruned_through_cursor = EXCLUDED.pruned_through_cursor, " +
            "pruned_through_sequence = EXCLUDED.pruned_through_sequence, pruned_at_micros = EXCLUDED.pruned_at_micros",
            programCode, cursor, sequence, tx.NowMicros);
}
