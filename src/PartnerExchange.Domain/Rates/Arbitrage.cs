using System.Numerics;

namespace PartnerExchange.Domain.Rates;

/// <summary>Guards the network against rate pairs that would let a member mint points by going round.</summary>
public static class Arbitrage
{
    /// <summary>
    /// True when converting A→B with <paramref name="forward"/> and back B→A with
    /// <paramref name="backward"/> could return more A points than went in, for some amount, assuming
    /// each rate's bonus is always active (windows change over time; the guard must hold for all of them).
    /// </summary>
    /// <remarks>
    /// The round trip multiplies an amount by at most
    /// <c>(to₁ × (10 000 + bps₁)) × (to₂ × (10 000 + bps₂)) ÷ (from₁ × from₂ × 10 000²)</c> before
    /// rounding down, so a factor of at most 1 can never gain. Fees are ignored: they only make a round
    /// trip dearer. Computed in <see cref="BigInteger"/> so unvalidated terms cannot overflow.
    /// </remarks>
    public static bool RoundTripCanGain(ExchangeRateTerms forward, ExchangeRateTerms backward)
    {
        ArgumentNullException.ThrowIfNull(forward);
        ArgumentNullException.ThrowIfNull(backward);
        BigInteger whole = ExchangeRateTerms.BasisPointsPerWhole;
        var returned = new BigInteger(forward.ToPoints) * (whole + MaxBonus(forward))
            * new BigInteger(backward.ToPoints) * (whole + MaxBonus(backward));
        var spent = new BigInteger(forward.FromPoints) * backward.FromPoints * whole * whole;
        return returned > spent;
    }

    // A negative bonus is invalid and never applied by the calculator, so it cannot reduce the bound.
    private static int MaxBonus(ExchangeRateTerms terms) => Math.Max(terms.BonusBasisPoints, 0);
}
