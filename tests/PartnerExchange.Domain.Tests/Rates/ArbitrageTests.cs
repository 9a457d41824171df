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
    public void GainingCycle_Accepts_RoundTripsThatCannotGain(long from1, long to1, int bps1, long from2, long to2, int bps2)
    {
        Assert.Null(Arbitrage.GainingCycle(Edge("A", "B", Rate(from1, to1, bps1)), [Edge("B", "A", Rate(from2, to2, bps2))]));
    }

    [Theory]
    [InlineData(1, 1, 1, 1, 1, 0)]
    [InlineData(1, 1, 0, 1, 1, 1)]
    [InlineData(800, 1000, 0, 1000, 801, 0)]
    [InlineData(2, 1, 10_001, 1, 1, 0)]
    [InlineData(1000, 800, 2_501, 1000, 1000, 0)]
    [InlineData(1, 1_000_000_000, 100_000, 1_000_000_000, 1, 0)]
    [InlineData(1, 1_000_000_000, 100_000, 1, 1_000_000_000, 100_000)]
    public void GainingCycle_Rejects_RoundTripsThatCanGain(long from1, long to1, int bps1, long from2, long to2, int bps2)
    {
        var cycle = Arbitrage.GainingCycle(Edge("A", "B", Rate(from1, to1, bps1)), [Edge("B", "A", Rate(from2, to2, bps2))]);

        Assert.Equal(["A", "B", "A"], cycle);
    }

    [Fact]
    public void GainingCycle_BonusWindowInThePast_StillCountsTheBonus()
    {
        var forward = Rate(1, 1, 1) with { BonusStartsAt = DateTimeOffset.UnixEpoch, BonusEndsAt = DateTimeOffset.UnixEpoch.AddSeconds(1) };

        Assert.NotNull(Arbitrage.GainingCycle(Edge("A", "B", forward), [Edge("B", "A", Rate(1, 1, 0))]));
    }

    [Fact]
    public void GainingCycle_UnvalidatedHugeTerms_DoesNotOverflow()
    {
        var huge = RateFixtures.Ratio(long.MaxValue, long.MaxValue) with { BonusBasisPoints = int.MaxValue };

        Assert.NotNull(Arbitrage.GainingCycle(Edge("A", "B", huge), [Edge("B", "A", huge)]));
    }

    [Fact]
    public void GainingCycle_ThreeProgramsWhoseProductExceedsOne_ReturnsTheCycle()
    {
        // 1 A → 2 B → 2 C → 1.2 A: each pair alone loses nothing, the triangle gains 20 %.
        RateEdge[] network = [Edge("B", "C", Rate(1, 1, 0)), Edge("C", "A", Rate(5, 3, 0)), Edge("B", "A", Rate(2, 1, 0))];

        var cycle = Arbitrage.GainingCycle(Edge("A", "B", Rate(1, 2, 0)), network);

        Assert.Equal(["A", "B", "C", "A"], cycle);
    }

    [Fact]
    public void GainingCycle_ThreeProgramsWhoseProductIsExactlyOne_Accepts()
    {
        RateEdge[] network = [Edge("B", "C", Rate(3, 2, 0)), Edge("C", "A", Rate(4, 3, 0))];

        // 2 × 2/3 × 3/4 = 1: nothing is gained, so the network may keep it.
        Assert.Null(Arbitrage.GainingCycle(Edge("A", "B", Rate(1, 2, 0)), network));
    }

    [Fact]
    public void GainingCycle_LongChain_FindsTheBestWayBackAmongSeveral()
    {
        // Two ways back from B to A: directly at a loss, or through C, D and E at 1.5 × 1 × 1 × 0.8 = 1.2. Listed
        // from the far end, so the search needs a round per hop to find the long way.
        RateEdge[] network =
        [
            Edge("E", "A", Rate(5, 4, 0)),
            Edge("D", "E", Rate(1, 1, 0)),
            Edge("C", "D", Rate(1, 1, 0)),
            Edge("B", "C", Rate(2, 3, 0)),
            Edge("B", "A", Rate(3, 1, 0)),
        ];

        // The proposed 1:1 rate closes a cycle of 1.2: the three-hop way back is the one that gains.
        Assert.Equal(["A", "B", "C", "D", "E", "A"], Arbitrage.GainingCycle(Edge("A", "B", Rate(1, 1, 0)), network));
        // At 6:5 the same cycle returns exactly what it took.
        Assert.Null(Arbitrage.GainingCycle(Edge("A", "B", Rate(6, 5, 0)), network));
    }

    [Fact]
    public void GainingCycle_BestOfSeveralVersions_Counts()
    {
        // A later version of B→A with a bonus is the one a member would wait for.
        RateEdge[] network = [Edge("B", "A", Rate(2, 1, 0)), Edge("B", "A", Rate(2, 1, 10_001))];

        Assert.NotNull(Arbitrage.GainingCycle(Edge("A", "B", Rate(1, 2, 0)), network));
    }

    [Fact]
    public void GainingCycle_GainingLoopAwayFromTheSource_IsNotThisRatesCycle()
    {
        // C⇄D gains (an older network may hold such a loop), but no chain from it leads back to A.
        RateEdge[] network = [Edge("B", "C", Rate(1, 1, 0)), Edge("C", "D", Rate(1, 2, 0)), Edge("D", "C", Rate(1, 1, 0))];

        Assert.Null(Arbitrage.GainingCycle(Edge("A", "B", Rate(1, 1, 0)), network));
    }

    [Fact]
    public void GainingCycle_RatesOutOfTheSource_AreNotPartOfTheWayBack()
    {
        // A→C at 1:10 is no way back to A; only B→A (a loss) is.
        RateEdge[] network = [Edge("A", "C", Rate(1, 10, 0)), Edge("C", "A", Rate(1, 1, 0)), Edge("B", "A", Rate(2, 1, 0))];

        Assert.Null(Arbitrage.GainingCycle(Edge("A", "B", Rate(1, 2, 0)), network));
    }

    [Fact]
    public void GainingCycle_NoWayBack_Accepts()
    {
        Assert.Null(Arbitrage.GainingCycle(Edge("A", "B", Rate(1, 1_000, 0)), [Edge("B", "C", Rate(1, 1_000, 0))]));
    }

    private static RateEdge Edge(string from, string to, ExchangeRateTerms terms) => new(from, to, terms);

    private static ExchangeRateTerms Rate(long fromPoints, long toPoints, int bonusBps) =>
        RateFixtures.Ratio(fromPoints, toPoints) with { BonusBasisPoints = bonusBps };
}
