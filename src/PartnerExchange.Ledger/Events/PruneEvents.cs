using PartnerExchange.Domain;
using PartnerExchange.Ledger.Writing;

namespace PartnerExchange.Ledger.Events;

/// <summary>What one pruning batch removed, and how far the outbox is now pruned.</summary>
public sealed record EventPruning(long PrunedEvents, long PrunedThroughCursor);

/// <summary>
/// Removes the oldest events of the outbox that occurred before <paramref name="OlderThan"/>, at most
/// <paramref name="MaxEvents"/> of them: always a prefix in cursor order, so "pruned through cursor N" means every
/// event up to N is gone and every later one is still there. Each program's newest pruned event is recorded, so a
/// stream resuming before it learns that it missed events instead of skipping them. The ledger itself
/// (transactions, postings) is never touched: events are its derived feed.
/// </summary>
public sealed record PruneEvents(DateTimeOffset OlderThan, int MaxEvents) : LedgerCommand<EventPruning>
{
    /// <summary>The program code of the row that describes the whole outbox.</summary>
    internal const string WholeOutbox = "";

    internal override Outcome<EventPruning> Execute(WriteSession session)
    {
        var (prunedThrough, prunedThroughSequence) = Watermark(session);
        var olderThanMicros = OlderThan.ToUnixMicros();
        var last = prunedThrough;
        string? lastTransactionId = null;
        var newestByProgram = new Dictionary<string, long>(StringComparer.Ordinal);
        // Read by the primary key from the watermark on, stopping at the first event not old enough: clocks of
        // several servers may disagree a little, and an event is never removed before an older-numbered one.
        using (var reader = session.Query(
            "SELECT cursor, occurred_at_micros, program_code, transaction_id FROM events WHERE cursor > $after ORDER BY cursor LIMIT $limit",
            ("$after", prunedThrough), ("$limit", MaxEvents)))
        {
            while (reader.Read() && reader.GetInt64(1) < olderThanMicros)
            {
                last = reader.GetInt64(0);
                newestByProgram[reader.GetString(2)] = last;
                lastTransactionId = reader.IsDBNull(3) ? lastTransactionId : reader.GetString(3);
            }
        }
        if (last == prunedThrough)
        {
            return new EventPruning(0, prunedThrough);
        }
        // Sequences and cursors are both given in commit order: the last pruned event's transaction is the newest pruned.
        if (lastTransactionId is not null)
        {
            prunedThroughSequence = session.Scalar("SELECT sequence FROM transactions WHERE transaction_id = $id", ("$id", lastTransactionId))
                ?? throw new InvalidOperationException($"An event names transaction {lastTransactionId}, which does not exist.");
        }
        var pruned = session.Execute("DELETE FROM events WHERE cursor > $after AND cursor <= $through", ("$after", prunedThrough), ("$through", last));
        Record(session, WholeOutbox, last, prunedThroughSequence);
        foreach (var (program, cursor) in newestByProgram)
        {
            Record(session, program, cursor, 0);
        }
        return new EventPruning(pruned, last);
    }

    private static (long Cursor, long Sequence) Watermark(WriteSession session)
    {
        using var reader = session.Query(
            "SELECT pruned_through_cursor, pruned_through_sequence FROM event_retention WHERE program_code = $program", ("$program", WholeOutbox));
        return reader.Read() ? (reader.GetInt64(0), reader.GetInt64(1)) : (0, 0);
    }

    private static void Record(WriteSession session, string programCode, long cursor, long sequence) =>
        session.Execute(
            "INSERT INTO event_retention (program_code, pruned_through_cursor, pruned_through_sequence, pruned_at_micros) " +
            "VALUES ($program, $cursor, $seq, $now) ON CONFLICT (program_code) DO UPDATE SET pruned_through_cursor = $cursor, " +
            "pruned_through_sequence = $seq, pruned_at_micros = $now",
            ("$program", programCode), ("$cursor", cursor), ("$seq", sequence), ("$now", session.NowMicros));
}
