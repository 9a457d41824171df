using PartnerExchange.Domain.Points;

namespace PartnerExchange.Domain.Rates;

/// <summary>Prices a conversion: how many destination points a source amount buys under a rate.</summary>
public static class ConversionCalculator
{
    /// <summary>
    /// Computes the conversion of <paramref name="sourcePoints"/> under <paramref name="rate"/> at time
    /// <paramref name="at"/>. Every division rounds down, in the network's favour, never the member's.
    /// </summary>
    /// <remarks>
    /// Rules, in order: below the minimum → <see cref="ErrorReason.BelowMinimum"/> (metadata
    /// <c>minimum_points</c>); above the maximum → <see cref="ErrorReason.AboveMaximum"/>
    /// (<c>maximum_points</c>); not a multiple of the increment → <see cref="ErrorReason.NotAnIncrement"/>
    /// (<c>increment_points</c>). Then base = ⌊source × to ÷ from⌋; when the bonus is active
    /// (<see cref="ExchangeRateTerms.IsBonusActiveAt"/>) bonus = ⌊base × bps ÷ 10 000⌋, else 0;
    /// destination = base + bonus; member debit = source + fee. Any result beyond <see cref="long"/>
    /// → <see cref="ErrorReason.BalanceOverflow"/>.
    /// </remarks>
    /// <exception cref="InvalidOperationException">The rate has a non-positive ratio, minimum or increment, or a negative fee, which validation forbids.</exception>
    public static Outcome<ConversionTerms> Calculate(ExchangeRateTerms rate, long sourcePoints, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(rate);
        if (rate.FromPoints < 1 || rate.ToPoints < 1 || rate.MinSourcePoints < 1 || rate.IncrementPoints < 1 || rate.MemberFeePoints < 0)
        {
            throw new InvalidOperationException("The exchange rate is invalid; validate rates before using them.");
        }

        if (sourcePoints < rate.MinSourcePoints)
        {
            return Refusal.Of(
                ErrorReason.BelowMinimum,
                "The amount is below the minimum this rate converts.",
                ("minimum_points", PointsMath.Format(rate.MinSourcePoints)));
        }

        if (sourcePoints > rate.MaxSourcePoints)
        {
            return Refusal.Of(
                ErrorReason.AboveMaximum,
                "The amount is above the maximum this rate converts at once.",
                ("maximum_points", PointsMath.Format(rate.MaxSourcePoints)));
        }

        if (sourcePoints % rate.IncrementPoints != 0)
        {
            return Refusal.Of(
                ErrorReason.NotAnIncrement,
                "The amount must be a multiple of the rate's increment.",
                ("increment_points", PointsMath.Format(rate.IncrementPoints)));
        }

        return Price(rate, sourcePoints, at);
    }

    /// <summary>
    /// Prices a conversion as the exchange carries it out: <see cref="Calculate"/>, then every amount the
    /// conversion posts within <paramref name="maxPointsPerTransaction"/>, then its settlement obligation. Quote
    /// and Convert both call this, so a quote is refused exactly when the conversion would be for its amounts.
    /// </summary>
    /// <remarks>
    /// Every posting of a conversion is at most the member's debit (source + fee) or the destination points
    /// (base + bonus), so checking those two bounds every leg. Over the limit →
    /// <see cref="ErrorReason.ValidationFailed"/> on <c>source_points</c>, as a source amount over the limit is;
    /// an obligation beyond <see cref="long"/> micros → <see cref="ErrorReason.BalanceOverflow"/>.
    /// </remarks>
    public static Outcome<PricedConversion> PriceWithinLimits(
        ExchangeRateTerms rate, long sourcePoints, DateTimeOffset at, long maxPointsPerTransaction, long payeePointPriceMicros, string payeeCurrency)
    {
        var terms = Calculate(rate, sourcePoints, at);
        if (!terms.IsSuccess)
        {
            return terms.Refusal;
        }
        if (terms.Value.MemberDebitPoints > maxPointsPerTransaction || terms.Value.DestinationPoints > maxPointsPerTransaction)
        {
            return Refusal.Invalid("source_points",
                $"must convert to at most {PointsMath.Format(maxPointsPerTransaction)} points on every leg (source plus fee, " +
                "destination points with any bonus): the most one transaction may move");
        }
        var settlement = Money.Settlement.ObligationFor(terms.Value.DestinationPoints, payeePointPriceMicros, payeeCurrency);
        return settlement.IsSuccess ? new PricedConversion(terms.Value, settlement.Value) : settlement.Refusal;
    }

    private static Outcome<ConversionTerms> Price(ExchangeRateTerms rate, long sourcePoints, DateTimeOffset at)
    {
        var basePoints = PointsMath.FloorDiv((Int128)sourcePoints * rate.ToPoints, rate.FromPoints);
        var bonusPoints = rate.IsBonusActiveAt(at)
            ? PointsMath.FloorDiv(basePoints * rate.BonusBasisPoints, ExchangeRateTerms.BasisPointsPerWhole)
            : Int128.Zero;
        var destinationPoints = basePoints + bonusPoints;
        var memberDebitPoints = (Int128)sourcePoints + rate.MemberFeePoints;

        // Checking the two sums suffices: every other figure is no larger and has the same sign.
        if (destinationPoints > long.MaxValue)
        {
            return PointsMath.Overflow(destinationPoints);
        }

        if (memberDebitPoints > long.MaxValue)
        {
            return PointsMath.Overflow(memberDebitPoints);
        }

        return new ConversionTerms(
            SourcePoints: sourcePoints,
            MemberFeePoints: rate.MemberFeePoints,
            MemberDebitPoints: (long)memberDebitPoints,
            BaseDestinationPoints: (long)basePoints,
            BonusPoints: (long)bonusPoints,
            DestinationPoints: (long)destinationPoints);
    }
}
