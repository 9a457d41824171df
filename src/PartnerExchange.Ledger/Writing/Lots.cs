using PartnerExchange.Domain.Ledger;
using PartnerExchange.Ledger.Planning;
using PartnerExchange.Ledger.Stores;

namespace PartnerExchange.Ledger.Writing;

/// <summary>
/// How one transaction's member lines touch lots: by default a credit opens a new lot and a debit spends
/// the oldest lots first (a member's own spending, only those not expired yet). A reversal gives back
/// exactly the lots its original took, and takes first from the lots its original opened. An expiry takes
/// exactly the lots that had expired by its moment.
/// </summary>
internal sealed record LotIntent(TransactionKind Kind, long? ReversesSequence, long? ExpiredByMicros)
{
    /// <summary>Accruals, redemptions and conversions are member activity; reversals and expiries are not.</summary>
    public bool IsActivity => Kind is TransactionKind.Accrual or TransactionKind.Redemption or TransactionKind.Conversion;
}

/// <summary>
/// The lots of member accounts, moved as <see cref="LotPlanner"/> decides. Invariant, checked by the ledger audit:
/// an account's remaining lot points add up to its balance. Every change to a lot is recorded as a lot movement of
/// its transaction.
/// </summary>
internal static class Lots
{
    public static void Credit(LedgerWriteTransaction tx, long accountId, AccountRef account, long sequence, long points, LotIntent intent)
    {
        var left = points;
        if (intent.ReversesSequence is { } original)
        {
            left -= Restore(tx, accountId, sequence, original, left);
        }
        if (left > 0)
        {
            var expiresAt = tx.ExpiryPolicyOf(account.ProgramCode).LotExpiresAt(tx.Now);
            tx.Lots.Open(accountId, sequence, tx.NowMicros, expiresAt?.ToUnixMicros(), left);
        }
    }

    public static void Debit(LedgerWriteTransaction tx, long accountId, long sequence, long points, LotIntent intent)
    {
        var order = LotPlanner.DebitOrder(intent, tx.NowMicros);
        var left = points - Take(tx, accountId, sequence, points, order.First);
        if (order.Then is { } then)
        {
            left -= Take(tx, accountId, sequence, left, then);
        }
        if (left != 0)
        {
            throw new InvalidOperationException($"The lots of account {accountId} do not cover its balance ({left} points short).");
        }
    }

    /// <summary>
    /// The points of a member account that have expired by now and that the expiry run has not posted yet:
    /// exactly what a run as of now would take (the whole balance once it has lapsed under an inactivity
    /// policy, else the lots past their date, whatever policy dated them). The member can no longer spend them.
    /// </summary>
    public static long ExpiredUnposted(LedgerWriteTransaction tx, long accountId, string programCode, long balancePoints)
    {
        var lapsed = LapsedAt(tx, accountId, programCode) is not null;
        return LotPlanner.ExpiredUnposted(lapsed, balancePoints, lapsed ? 0 : tx.Lots.ExpiredPoints(accountId, tx.NowMicros));
    }

    /// <summary>
    /// Under an inactivity policy, activity after the deadline does not rescue the balance that had lapsed
    /// before it: its open lots are dated to expire at that deadline (the next run posts them; they cannot be
    /// spent meanwhile, see <see cref="ExpiredUnposted"/>), and the activity starts a new period for what
    /// comes after. Called before the activity moves the account's last activity.
    /// </summary>
    public static void KeepLapsedBalanceExpiring(LedgerWriteTransaction tx, long accountId, string programCode)
    {
        if (LapsedAt(tx, accountId, programCode) is { } lapsedAt)
        {
            tx.Lots.ExpireOpenLotsBy(accountId, lapsedAt.ToUnixMicros());
        }
    }

    /// <summary>When the account's balance lapsed under an inactivity policy, if it has (see <see cref="LotPlanner.LapsedAt"/>).</summary>
    private static DateTimeOffset? LapsedAt(LedgerWriteTransaction tx, long accountId, string programCode)
    {
        var policy = tx.ExpiryPolicyOf(programCode);
        if (policy.Kind != Domain.Expiry.ExpiryPolicyKind.Inactivity)
        {
            return null;
        }
        return tx.Accounts.InactivityClock(accountId) is { } clock
            ? LotPlanner.LapsedAt(policy, clock.LastActivityMicros, clock.PolicySinceMicros, tx.Now)
            : null;
    }

    /// <summary>Gives back, up to <paramref name="points"/>, what the original transaction took from this account's lots.</summary>
    private static long Restore(LedgerWriteTransaction tx, long accountId, long sequence, long original, long points)
    {
        var taken = new List<LotMove>();
        tx.Lots.ReadTaken(accountId, original, taken);
        var moves = new List<LotMove>(taken.Count);
        var restored = LotPlanner.Restore(taken, points, moves);
        foreach (var move in moves)
        {
            tx.Lots.Move(sequence, move);
        }
        return restored;
    }

    /// <summary>Takes up to <paramref name="points"/> from the selected lots, oldest first, reading them a chunk at a time.</summary>
    private static long Take(LedgerWriteTransaction tx, long accountId, long sequence, long points, LotSelection selection)
    {
        var taken = 0L;
        var chunkSize = LotPlanner.FirstChunkSize;
        var lots = new List<OpenLot>(chunkSize);
        var moves = new List<LotMove>(chunkSize);
        while (taken < points)
        {
            tx.Lots.ReadOpen(accountId, selection, chunkSize, lots);
            moves.Clear();
            taken += LotPlanner.TakeOldestFirst(lots, points - taken, moves);
            foreach (var move in moves)
            {
                tx.Lots.Move(sequence, move);
            }
            if (lots.Count < chunkSize)
            {
                break;
            }
            // Every lot read was spent whole, so the next read starts at the next live lot.
            chunkSize = LotPlanner.NextChunkSize(chunkSize);
        }
        return taken;
    }
}
