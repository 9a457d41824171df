namespace PartnerExchange.Ledger.Stores;

/// <summary>
/// The point lots of member accounts and their movements. Every change to a lot is a movement recorded under the
/// transaction that made it; a lot never holds fewer than zero points or more than it opened with.
/// </summary>
internal interface ILotStore
{
    void Open(long accountId, long sequence, long earnedAtMicros, long? expiresAtMicros, long points);

    /// <summary>
    /// Reads, oldest first (by lot id), at most <paramref name="limit"/> open lots of an account that the selection
    /// names, into <paramref name="lots"/> (cleared first).
    /// </summary>
    void ReadOpen(long accountId, LotSelection selection, int limit, List<OpenLot> lots);

    /// <summary>What a transaction took from the account's lots, in the order it took it, into <paramref name="taken"/>.</summary>
    void ReadTaken(long accountId, long sequence, List<LotMove> taken);

    /// <summary>Moves a lot by signed points under a transaction; fails loudly should the lot not allow it.</summary>
    void Move(long sequence, LotMove move);

    /// <summary>The open points of an account whose lots are past their date at <paramref name="nowMicros"/>.</summary>
    long ExpiredPoints(long accountId, long nowMicros);

    /// <summary>Dates every open lot of the account to expire no later than <paramref name="deadlineMicros"/>.</summary>
    void ExpireOpenLotsBy(long accountId, long deadlineMicros);

    /// <summary>Whether an expiry has taken points from a lot the transaction opened.</summary>
    bool AnyExpiredFrom(long openedBySequence);
}

/// <summary>An open lot: its id and what remains of it.</summary>
internal readonly record struct OpenLot(long LotId, long RemainingPoints);

/// <summary>A movement of a lot: negative takes points from it, positive gives them back.</summary>
internal readonly record struct LotMove(long LotId, long Points);

/// <summary>Which open lots a debit may take.</summary>
internal enum LotSelectionKind
{
    /// <summary>Any open lot.</summary>
    Any,

    /// <summary>Lots not yet expired at <see cref="LotSelection.BoundMicrosOrSequence"/> (undated ones included).</summary>
    UnexpiredAt,

    /// <summary>Lots expired by <see cref="LotSelection.BoundMicrosOrSequence"/>.</summary>
    ExpiredBy,

    /// <summary>Lots that the transaction numbered <see cref="LotSelection.BoundMicrosOrSequence"/> opened.</summary>
    OpenedBy,
}

/// <summary>A selection of open lots: its kind and the moment or sequence it is bounded by.</summary>
internal readonly record struct LotSelection(LotSelectionKind Kind, long BoundMicrosOrSequence)
{
    public static LotSelection Any => new(LotSelectionKind.Any, 0);

    public static LotSelection UnexpiredAt(long micros) => new(LotSelectionKind.UnexpiredAt, micros);

    public static LotSelection ExpiredBy(long micros) => new(LotSelectionKind.ExpiredBy, micros);

    public static LotSelection OpenedBy(long sequence) => new(LotSelectionKind.OpenedBy, sequence);
}
