using PartnerExchange.Domain.Rates;

namespace PartnerExchange.Domain.Tests.Rates;

public class ConversionCalculatorTests
{
    private static readonly TimeSpan Tick = TimeSpan.FromTicks(1);

    [Theory]
    [InlineData(1000, 800)]
    [InlineData(1500, 1200)]
    [InlineData(100_000, 80_000)]
    public void Calculate_ValidAmount_BuysAtTheRatio(long sourcePoints, long expectedDestination)
    {
        var terms = ConversionCalculator.Calculate(RateFixtures.Standard, sourcePoints, RateFixtures.Now).Value;

        Assert.Equal(new ConversionTerms(sourcePoints, 0, sourcePoints, expectedDestination, 0, expectedDestination), terms);
    }

    [Theory]
    [InlineData(3, 1, 10, 3)]
    [InlineData(3, 2, 5, 3)]
    [InlineData(7, 10, 1, 1)]
    [InlineData(1000, 1, 999, 0)]
    [InlineData(1000, 999, 1, 0)]
    [InlineData(2, 3, 3, 4)]
    public void Calculate_FractionalResult_RoundsDown(long fromPoints, long toPoints, long sourcePoints, long expectedDestination)
    {
        var terms = ConversionCalculator.Calculate(RateFixtures.Ratio(fromPoints, toPoints), sourcePoints, RateFixtures.Now).Value;

        Assert.Equal(expectedDestination, terms.DestinationPoints);
    }

    [Theory]
    [InlineData(999)]
    [InlineData(1)]
    [InlineData(0)]
    [InlineData(-1000)]
    [InlineData(long.MinValue)]
    public void Calculate_BelowMinimum_RefusesWithMinimum(long sourcePoints)
    {
        var refusal = ConversionCalculator.Calculate(RateFixtures.Standard, sourcePoints, RateFixtures.Now).Refusal;

        Assert.Equal(ErrorReason.BelowMinimum, refusal.Reason);
        Assert.Equal("1000", refusal.Metadata["minimum_points"]);
    }

    [Theory]
    [InlineData(100_001)]
    [InlineData(100_500)]
    [InlineData(long.MaxValue)]
    public void Calculate_AboveMaximum_RefusesWithMaximum(long sourcePoints)
    {
        var refusal = ConversionCalculator.Calculate(RateFixtures.Standard, sourcePoints, RateFixtures.Now).Refusal;

        Assert.Equal(ErrorReason.AboveMaximum, refusal.Reason);
        Assert.Equal("100000", refusal.Metadata["maximum_points"]);
    }

    [Theory]
    [InlineData(1001)]
    [InlineData(1499)]
    [InlineData(99_999)]
    public void Calculate_NotAMultipleOfIncrement_RefusesWithIncrement(long sourcePoints)
    {
        var refusal = ConversionCalculator.Calculate(RateFixtures.Standard, sourcePoints, RateFixtures.Now).Refusal;

        Assert.Equal(ErrorReason.NotAnIncrement, refusal.Reason);
        Assert.Equal("500", refusal.Metadata["increment_points"]);
    }

    [Theory]
    [InlineData(0, 1000, 1000)]
    [InlineData(1, 1000, 1001)]
    [InlineData(250, 1500, 1750)]
    [InlineData(1_000_000_000, 100_000, 1_000_100_000)]
    public void Calculate_Fee_IsAddedToTheMemberDebitOnly(long feePoints, long sourcePoints, long expectedDebit)
    {
        var rate = RateFixtures.Standard with { MemberFeePoints = feePoints };

        var terms = ConversionCalculator.Calculate(rate, sourcePoints, RateFixtures.Now).Value;

        Assert.Equal(feePoints, terms.MemberFeePoints);
        Assert.Equal(expectedDebit, terms.MemberDebitPoints);
        Assert.Equal(sourcePoints, terms.SourcePoints);
        Assert.Equal(sourcePoints * 800 / 1000, terms.DestinationPoints);
    }

    [Theory]
    [InlineData(0, true)]
    [InlineData(1, true)]
    [InlineData(3599, true)]
    [InlineData(-1, false)]
    [InlineData(3600, false)]
    [InlineData(7200, false)]
    public void Calculate_BonusWindow_StartInclusiveEndExclusive(long secondsFromStart, bool expectBonus)
    {
        var rate = RateFixtures.Standard with
        {
            BonusBasisPoints = 2_500,
            BonusStartsAt = RateFixtures.Now,
            BonusEndsAt = RateFixtures.Now.AddHours(1),
        };

        var terms = ConversionCalculator.Calculate(rate, 1000, RateFixtures.Now.AddSeconds(secondsFromStart)).Value;

        Assert.Equal(800, terms.BaseDestinationPoints);
        Assert.Equal(expectBonus ? 200 : 0, terms.BonusPoints);
        Assert.Equal(expectBonus ? 1000 : 800, terms.DestinationPoints);
    }

    [Fact]
    public void Calculate_OneTickBeforeEnd_AppliesBonus()
    {
        var rate = RateFixtures.Standard with { BonusBasisPoints = 2_500, BonusStartsAt = RateFixtures.Now, BonusEndsAt = RateFixtures.Now.AddHours(1) };

        Assert.Equal(200, ConversionCalculator.Calculate(rate, 1000, RateFixtures.Now.AddHours(1) - Tick).Value.BonusPoints);
    }

    [Fact]
    public void Calculate_OneTickBeforeStart_AppliesNoBonus()
    {
        var rate = RateFixtures.Standard with { BonusBasisPoints = 2_500, BonusStartsAt = RateFixtures.Now, BonusEndsAt = RateFixtures.Now.AddHours(1) };

        Assert.Equal(0, ConversionCalculator.Calculate(rate, 1000, RateFixtures.Now - Tick).Value.BonusPoints);
    }

    [Fact]
    public void Calculate_WindowInAnotherOffset_ComparesInstants()
    {
        var startsAt = new DateTimeOffset(2025, 6, 1, 14, 0, 0, TimeSpan.FromHours(2));
        var rate = RateFixtures.Standard with { BonusBasisPoints = 2_500, BonusStartsAt = startsAt, BonusEndsAt = startsAt.AddHours(1) };

        Assert.Equal(200, ConversionCalculator.Calculate(rate, 1000, RateFixtures.Now).Value.BonusPoints);
    }

    [Fact]
    public void Calculate_BonusWithoutWindow_AlwaysApplies()
    {
        var rate = RateFixtures.Standard with { BonusBasisPoints = 10_000 };

        Assert.Equal(800, ConversionCalculator.Calculate(rate, 1000, DateTimeOffset.MinValue).Value.BonusPoints);
    }

    [Theory]
    [InlineData(3, 1, 5_000, 10, 3, 1)]
    [InlineData(1, 1, 1, 9_999, 9_999, 0)]
    [InlineData(1, 1, 1, 10_000, 10_000, 1)]
    [InlineData(1, 1, 3_333, 7, 7, 2)]
    [InlineData(1, 1, 100_000, 3, 3, 30)]
    [InlineData(1, 1, 0, 1000, 1000, 0)]
    public void Calculate_Bonus_RoundsDownOnTheBase(
        long fromPoints, long toPoints, int bonusBps, long sourcePoints, long expectedBase, long expectedBonus)
    {
        var rate = RateFixtures.Ratio(fromPoints, toPoints) with { BonusBasisPoints = bonusBps };

        var terms = ConversionCalculator.Calculate(rate, sourcePoints, RateFixtures.Now).Value;

        Assert.Equal(expectedBase, terms.BaseDestinationPoints);
        Assert.Equal(expectedBonus, terms.BonusPoints);
        Assert.Equal(expectedBase + expectedBonus, terms.DestinationPoints);
    }

    [Fact]
    public void Calculate_LargestValidAmounts_DoNotOverflowInTheProduct()
    {
        var rate = RateFixtures.Ratio(long.MaxValue, long.MaxValue);

        var terms = ConversionCalculator.Calculate(rate, long.MaxValue, RateFixtures.Now).Value;

        Assert.Equal(long.MaxValue, terms.DestinationPoints);
        Assert.Equal(long.MaxValue, terms.MemberDebitPoints);
    }

    [Theory]
    [InlineData(1, 1_000_000_000, 0, 1_000_000_000_000)]
    [InlineData(1, 5_000_000, 10_000, 1_000_000_000_000)]
    [InlineData(1, 9_223_372, 1, 1_000_000_000_000)]
    [InlineData(1, 2, 0, long.MaxValue)]
    public void Calculate_DestinationBeyondLong_RefusesWithBalanceOverflow(long fromPoints, long toPoints, int bonusBps, long sourcePoints)
    {
        var rate = RateFixtures.Ratio(fromPoints, toPoints) with { BonusBasisPoints = bonusBps };

        Assert.Equal(ErrorReason.BalanceOverflow, ConversionCalculator.Calculate(rate, sourcePoints, RateFixtures.Now).Refusal.Reason);
    }

    [Fact]
    public void Calculate_BaseFitsButBonusDoesNot_RefusesWithBalanceOverflow()
    {
        var rate = RateFixtures.Ratio(1, 1) with { BonusBasisPoints = 1 };

        var outcome = ConversionCalculator.Calculate(rate, long.MaxValue - 1, RateFixtures.Now);

        Assert.Equal(ErrorReason.BalanceOverflow, outcome.Refusal.Reason);
    }

    [Fact]
    public void Calculate_DebitBeyondLong_RefusesWithBalanceOverflow()
    {
        var rate = RateFixtures.Ratio(long.MaxValue, 1) with { MemberFeePoints = 1 };

        Assert.Equal(ErrorReason.BalanceOverflow, ConversionCalculator.Calculate(rate, long.MaxValue, RateFixtures.Now).Refusal.Reason);
    }

    [Theory]
    [InlineData(0, 1, 1, 0)]
    [InlineData(1, 0, 1, 0)]
    [InlineData(1, 1, 0, 0)]
    [InlineData(1, 1, 1, -1)]
    public void Calculate_InvalidRate_Throws(long fromPoints, long toPoints, long increment, long fee)
    {
        var rate = RateFixtures.Ratio(1, 1) with { FromPoints = fromPoints, ToPoints = toPoints, IncrementPoints = increment, MemberFeePoints = fee };

        Assert.Throws<InvalidOperationException>(() => ConversionCalculator.Calculate(rate, 10, RateFixtures.Now));
    }

    private const long Limit = 1_000_000;

    [Theory]
    [InlineData(1, 1_000_000, 1, 0, 0)]
    [InlineData(1, 1_000, 1_000, 0, 0)]
    [InlineData(1, 1, 999_990, 10, 0)]
    [InlineData(1, 1_000, 800, 0, 2_500)]
    public void PriceWithinLimits_EveryLegAtMostTheLimit_IsPriced(long fromPoints, long toPoints, long sourcePoints, long fee, int bonus)
    {
        var rate = RateFixtures.Ratio(fromPoints, toPoints) with { MemberFeePoints = fee, BonusBasisPoints = bonus };

        var priced = ConversionCalculator.PriceWithinLimits(rate, sourcePoints, RateFixtures.Now, Limit, 10_000, "USD");

        Assert.True(priced.IsSuccess);
        Assert.True(priced.Value.Terms.MemberDebitPoints <= Limit && priced.Value.Terms.DestinationPoints <= Limit);
        Assert.Equal(priced.Value.Terms.DestinationPoints * 10_000, priced.Value.Settlement.AmountMicros);
    }

    [Theory]
    [InlineData(1, 1_000_000, 2, 0, 0)]
    [InlineData(1, 1, 999_991, 10, 0)]
    [InlineData(1, 1_000, 801, 0, 2_500)]
    [InlineData(1, 1_000, 1_000, 0, 1)]
    public void PriceWithinLimits_ALegOverTheLimit_IsValidationFailedOnSourcePoints(long fromPoints, long toPoints, long sourcePoints, long fee, int bonus)
    {
        var rate = RateFixtures.Ratio(fromPoints, toPoints) with { MemberFeePoints = fee, BonusBasisPoints = bonus };

        var refusal = ConversionCalculator.PriceWithinLimits(rate, sourcePoints, RateFixtures.Now, Limit, 10_000, "USD").Refusal;

        Assert.Equal(ErrorReason.ValidationFailed, refusal.Reason);
        Assert.Equal("source_points", Assert.Single(refusal.Violations).Field);
    }

    [Fact]
    public void PriceWithinLimits_SettlementBeyondLongMicros_IsBalanceOverflow()
    {
        var refusal = ConversionCalculator.PriceWithinLimits(RateFixtures.Ratio(1, 1), 10_000_000_000, RateFixtures.Now,
            1_000_000_000_000, 1_000_000_000, "USD").Refusal;

        Assert.Equal(ErrorReason.BalanceOverflow, refusal.Reason);
    }

    [Fact]
    public void PriceWithinLimits_RefusedByTheRate_IsRefusedAsCalculateIs()
    {
        var refusal = ConversionCalculator.PriceWithinLimits(RateFixtures.Standard, 1_001, RateFixtures.Now, Limit, 10_000, "USD").Refusal;

        Assert.Equal(ErrorReason.NotAnIncrement, refusal.Reason);
    }
}
