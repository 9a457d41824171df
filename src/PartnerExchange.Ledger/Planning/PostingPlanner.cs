using PartnerExchange.Domain;
using PartnerExchange.Domain.Ledger;
using PartnerExchange.Ledger.Writing;

namespace PartnerExchange.Ledger.Planning;

/// <summary>Checks a posting line against its account's balance, over plain values (no I/O).</summary>
internal static class PostingPlanner
{
    /// <summary>
    /// Whether the line is a member spending (member activity taking points): it may spend only what has not
    /// expired, so its plan needs the account's expired, unposted points. Other debits (reversals, expiries,
    /// adjustments) may take any lot.
    /// </summary>
    public static bool SpendsOnlyUnexpired(PostingLine line, LotIntent lots) =>
        line.Account.IsMember && line.AmountPoints < 0 && lots.IsActivity;

    /// <summary>
    /// The balance the line leaves, or the refusal: a member balance never goes below zero, a member never spends
    /// expired points (<paramref name="expiredUnpostedPoints"/>, read only when <see cref="SpendsOnlyUnexpired"/>),
    /// none overflows.
    /// </summary>
    public static Outcome<long> BalanceAfter(PostingLine line, long beforePoints, LotIntent lots, long expiredUnpostedPoints) =>
        SpendsOnlyUnexpired(line, lots)
            ? BalanceRules.Spend(beforePoints, expiredUnpostedPoints, -line.AmountPoints)
            : BalanceRules.Apply(line.Account.Kind, beforePoints, line.AmountPoints);
}
