using PartnerExchange.Domain.Points;

namespace PartnerExchange.Domain.Ledger;

/// <summary>How a posting changes an account balance.</summary>
public static class BalanceRules
{
    /// <summary>
    /// The balance after posting <paramref name="amountPoints"/> to an account of <paramref name="kind"/>
    /// holding <paramref name="balance"/>. A member balance may not go below zero
    /// (<see cref="ErrorReason.InsufficientPoints"/>, metadata <c>balance_points</c> and
    /// <c>required_points</c>); system balances may, since issuance is where points come from. A result
    /// beyond <see cref="long"/> is <see cref="ErrorReason.BalanceOverflow"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">A member balance is already negative, which the ledger never allows.</exception>
    public static Outcome<long> Apply(AccountKind kind, long balance, long amountPoints)
    {
        var isMember = kind == AccountKind.Member;
        if (isMember && balance < 0)
        {
            throw new InvalidOperationException("A member balance is negative; the ledger is corrupt.");
        }

        var newBalance = (Int128)balance + amountPoints;
        if (isMember && newBalance < 0)
        {
            return Refusal.Of(
                ErrorReason.InsufficientPoints,
                "The member does not have enough points.",
                ("balance_points", PointsMath.Format(balance)),
                ("required_points", PointsMath.Format(-(Int128)amountPoints)));
        }

        return PointsMath.ToLong(newBalance);
    }

    /// <summary>
    /// The balance after a member spends <paramref name="spentPoints"/> (a redemption or a conversion) of a
    /// <paramref name="balance"/> of which <paramref name="expiredPoints"/> have expired and await the expiry run.
    /// Expired points are gone to the member even before the run posts them, so only the rest may be spent:
    /// beyond it is <see cref="ErrorReason.InsufficientPoints"/>, with metadata <c>balance_points</c>,
    /// <c>required_points</c> and, when some have expired, <c>expired_points</c>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A negative amount, or expired points outside 0 to the balance.</exception>
    public static Outcome<long> Spend(long balance, long expiredPoints, long spentPoints)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(spentPoints);
        ArgumentOutOfRangeException.ThrowIfNegative(expiredPoints);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(expiredPoints, Math.Max(balance, 0));
        if (expiredPoints > 0 && balance - expiredPoints < spentPoints)
        {
            return Refusal.Of(
                ErrorReason.InsufficientPoints,
                "The member does not have enough points that have not expired.",
                ("balance_points", PointsMath.Format(balance)),
                ("required_points", PointsMath.Format(spentPoints)),
                ("expired_points", PointsMath.Format(expiredPoints)));
        }
        return Apply(AccountKind.Member, balance, -spentPoints);
    }
}
