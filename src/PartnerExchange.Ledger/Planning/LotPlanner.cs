using PartnerExchange.Domain.Expiry;
using PartnerExchange.Ledger.Stores;
using PartnerExchange.Ledger.Writing;

namespace PartnerExchange.Ledger.Planning;

/// <summary>
/// Which lots a member line moves, decided over plain values (no I/O): a debit takes the oldest lots first, a
/// reversal gives back exactly what its original took, an inactive balance lapses at its deadline.
/// </summary>
internal static class LotPlanner
{
    /// <summary>
    /// Lots are read a few at a time, the first read smallest: an account may hold hundreds (every accrual opens
    /// one) while a spend usually needs one or two, and every lot read costs the store a lookup.
    /// </summary>
    public const int FirstChunkSize = 2;

    public const int MaxChunkSize = 64;

    /// <summary>The size of the next read after a read of <paramref name="chunkSize"/> lots that were all spent whole.</summary>
    public static int NextChunkSize(int chunkSize) => Math.Min(chunkSize * 4, MaxChunkSize);

    /// <summary>
    /// The lots a debit takes from, in turn: an expiry exactly the lots expired by its moment; a reversal first the
    /// lots its original opened, then any; a member's own spending only lots not expired at
    /// <paramref name="nowMicros"/> (expired ones are left to the expiry run); other debits any, oldest first.
    /// </summary>
    public static LotDebitOrder DebitOrder(LotIntent intent, long nowMicros)
    {
        if (intent.ExpiredByMicros is { } expiredBy)
        {
            return new LotDebitOrder(LotSelection.ExpiredBy(expiredBy), null);
        }
        var rest = intent.IsActivity ? LotSelection.UnexpiredAt(nowMicros) : LotSelection.Any;
        return intent.ReversesSequence is { } original
            ? new LotDebitOrder(LotSelection.OpenedBy(original), rest)
            : new LotDebitOrder(rest, null);
    }

    /// <summary>
    /// Takes up to <paramref name="pointsWanted"/> from <paramref name="lots"/>, oldest first (they come ordered by
    /// id), each lot whole before the next: the movements into <paramref name="moves"/> (negative) and the points taken.
    /// </summary>
    public static long TakeOldestFirst(List<OpenLot> lots, long pointsWanted, List<LotMove> moves)
    {
        var taken = 0L;
        var previousId = long.MinValue;
        foreach (var lot in lots)
        {
            if (taken == pointsWanted)
            {
                break;
            }
            if (lot.LotId <= previousId || lot.RemainingPoints <= 0)
            {
                throw new InvalidOperationException($"Lots to take from must be open and oldest first; lot {lot.LotId} is not.");
            }
            previousId = lot.LotId;
            var take = Math.Min(lot.RemainingPoints, pointsWanted - taken);
            moves.Add(new LotMove(lot.LotId, -take));
            taken += take;
        }
        return taken;
    }

    /// <summary>
    /// Gives back, up to <paramref name="points"/>, what an original transaction took from an account's lots, in the
    /// order it took it: the movements into <paramref name="moves"/> (positive) and the points restored.
    /// </summary>
    public static long Restore(List<LotMove> takenByOriginal, long points, List<LotMove> moves)
    {
        var restored = 0L;
        foreach (var taken in takenByOriginal)
        {
            var back = Math.Min(-taken.Points, points - restored);
            if (back <= 0)
            {
                break;
            }
            moves.Add(new LotMove(taken.LotId, back));
            restored += back;
        }
        return restored;
    }

    /// <summary>
    /// When a balance lapsed, if it has: under an inactivity policy, a balance above zero whose last activity (or
    /// the policy's start, if later) is longer ago than the policy allows. Null under any other policy.
    /// </summary>
    public static DateTimeOffset? LapsedAt(ExpiryPolicy policy, long lastActivityMicros, long policySinceMicros, DateTimeOffset now) =>
        policy.Kind == ExpiryPolicyKind.Inactivity
            && policy.InactivityDeadline(Time.FromMicros(lastActivityMicros), Time.FromMicros(policySinceMicros)) is { } deadline
            && deadline <= now
            ? deadline
            : null;

    /// <summary>
    /// The points of a member account that have expired and that the expiry run has not posted yet: the whole
    /// balance once it has lapsed, else the lots past their date.
    /// </summary>
    public static long ExpiredUnposted(bool balanceLapsed, long balancePoints, long expiredLotPoints) =>
        balanceLapsed ? balancePoints : expiredLotPoints;
}

/// <summary>The selections of lots a debit takes from: all it can from the first, then from the second.</summary>
internal readonly record struct LotDebitOrder(LotSelection First, LotSelection? Then);
