using PartnerExchange.Domain.Rates;

namespace PartnerExchange.Domain.Tests.Rates;

public class ArbitrageTests
{
    [Theory]
    [InlineData(1000, 800, 0, 1000, 800, 0)]
    [InlineData(1, 1, 0, 1, 1, 0)]
    [InlineData(1000, 800, 0, 800, 1000, 0)]
    [InlineData(2, 1, 10_000, 1, 1, 0)]
    [InlineData(1000, 800, 2_500, 1000, 1000, 0)]
    [InlineData(11, 1, 100_000, 1, 1, 0)]
    [InlineData(1_000_000_000, 1, 0, 1, 1_000_000_000, 0)]
    [InlineData(1, 1, -5_000, 1, 1, 0)]
    public void RoundTripCanGain_Accepts_RatesThatCannotGain(long from1, long to1, int bps1, long from2, long to2, int bps2)
    {
        Assert.False(Arbitrage.RoundTripCanGain(Rate(from1, to1, bps1), Rate(from2, to2, bps2)));
    }

    [Theory]
    [InlineData(1, 1, 1, 1, 1, 0)]
    [InlineData(1, 1, 0, 1, 1, 1)]
    [InlineData(800, 1000, 0, 1000, 801, 0)]
    [InlineData(2, 1, 10_001, 1, 1, 0)]
    [InlineData(1000, 800, 2_501, 1000, 1000, 0)]
    [InlineData(1, 1_000_000_000, 100_000, 1_000_000_000, 1, 0)]
    [InlineData(1, 1_000_000_000, 100_000, 1, 1_000_000_000, 100_000)]
    public void RoundTripCanGain_Rejects_RatesThatCanGain(long from1, long to1, int bps1, long from2, long to2, int bps2)
    {
        Assert.True(Arbitrage.RoundTripCanGain(Rate(from1, to1, bps1), Rate(from2, to2, bps2)));
    }

    [Fact]
    public void RoundTripCanGain_BonusWindowInThePast_StillCountsTheBonus()
    {
        var forward = Rate(1, 1, 1) with { BonusStartsAt = DateTimeOffset.UnixEpoch, BonusEndsAt = DateTimeOffset.UnixEpoch.AddSeconds(1) };

        Assert.True(Arbitrage.RoundTripCanGain(forward, Rate(1, 1, 0)));
    }

    [Fact]
    public void RoundTripCanGain_UnvalidatedHugeTerms_DoesNotOverflow()
    {
        var huge = RateFixtures.Ratio(long.MaxValue, long.MaxValue) with { BonusBasisPoints = int.MaxValue };

        Assert.True(Arbitrage.RoundTripCanGain(huge, huge));
    }

    private static ExchangeRateTerms Rate(long fromPoints, long toPoints, int bonusBps) =>
        RateFixtures.Ratio(fromPoints, toPoints) with { BonusBasisPoints = bonusBps };
}
