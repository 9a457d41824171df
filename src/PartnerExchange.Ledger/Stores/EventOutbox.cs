using PartnerExchange.Ledger.Writing;

namespace PartnerExchange.Ledger.Stores;

/// <summary>
/// The event outbox, written inside the write transaction so an event exists exactly when the change it reports
/// committed; its cursors follow commit order.
/// </summary>
internal interface IEventOutbox
{
    /// <summary>Appends an event that occurred at the current request's moment.</summary>
    void Append(NewEvent e);

    /// <summary>The outbox's oldest events after a cursor, at most <paramref name="limit"/>, in cursor order.</summary>
    IEnumerable<OutboxEntry> Oldest(long afterCursor, int limit);

    /// <summary>Deletes the events after one cursor and up to another: how many went.</summary>
    int DeleteThrough(long afterCursor, long throughCursor);

    /// <summary>How far a program's events (or, for "", the whole outbox's) are pruned: cursor and sequence.</summary>
    (long Cursor, long Sequence) PrunedThrough(string programCode);

    /// <summary>Records how far a program's events (or the whole outbox's) are now pruned.</summary>
    void RecordPruned(string programCode, long cursor, long sequence);
}

/// <summary>What pruning needs of an event.</summary>
internal readonly record struct OutboxEntry(long Cursor, long OccurredAtMicros, string ProgramCode, string? TransactionId);
