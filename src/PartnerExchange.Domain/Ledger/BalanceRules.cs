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
}
