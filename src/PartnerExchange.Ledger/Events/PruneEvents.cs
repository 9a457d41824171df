using PartnerExchange.Domain;
using PartnerExchange.Ledger.Stores;
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

    internal override Outcome<EventPruning> Execute(LedgerWriteTransaction tx)
    {
        var (prunedThrough, prunedThroughSequence) = tx.Events.PrunedThrough(WholeOutbox);
        var olderThanMicros = OlderThan.ToUnixMicros();
        var last = prunedThrough;
        string? lastTransactionId = null;
        var newestByProgram = new Dictionary<string, long>(StringComparer.Ordinal);
        // Read by cursor from the watermark on, stopping at the first event not old enough: clocks of several
        // servers may disagree a little, and an event is never removed before an older-numbered one.
        foreach (var e in tx.Events.Oldest(prunedThrough, MaxEvents))
        {
            if (e.OccurredAtMicros >= olderThanMicros)
            {
                break;
            }
            last = e.Cursor;
            newestByProgram[e.ProgramCode] = last;
            lastTransactionId = e.TransactionId ?? lastTransactionId;
        }
        if (last == prunedThrough)
        {
            return new EventPruning(0, prunedThrough);
        }
        // Sequences and cursors are both given in commit order: the last pruned event's transaction is the newest pruned.
        if (lastTransactionId is not null)
        {
            prunedThroughSequence = tx.Transactions.SequenceOf(lastTransactionId)
                ?? throw new InvalidOperationException($"An event names transaction {lastTransactionId}, which does not exist.");
        }
        var pruned = tx.Events.DeleteThrough(prunedThrough, last);
        tx.Events.RecordPruned(WholeOutbox, last, prunedThroughSequence);
        foreach (var (program, cursor) in newestByProgram)
        {
            tx.Events.RecordPruned(program, cursor, 0);
        }
        return new EventPruning(pruned, last);
    }
}
