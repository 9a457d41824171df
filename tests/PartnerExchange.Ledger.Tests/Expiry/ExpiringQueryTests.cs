using PartnerExchange.Domain.Expiry;
using PartnerExchange.Ledger.Reading;
using PartnerExchange.Ledger.Tests.Infrastructure;
using static PartnerExchange.Ledger.Tests.Infrastructure.LedgerHarness;

namespace PartnerExchange.Ledger.Tests.Expiry;

/// <summary>
/// What a member is about to lose: per horizon, shortest first, the points expiring within it (cumulative)
/// and the first moment some do, from the lots or, under inactivity, from the whole balance.
/// </summary>
public sealed class ExpiringQueryTests : LedgerTest
{
    private static readonly IReadOnlyList<int> Horizons = [30, 60, 90];

    private DateTimeOffset _start;

    private DateTimeOffset FirstLotExpiry => _start.AddMonths(12);

    private ExpiryQueries Queries => new(Ledger.Database);

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _start = Ledger.Now();
        await Ledger.CreatePartnerWithPolicyAsync(Air, ExpiryLedger.TwelveMonthLots);
        await Ledger.CreatePartnerWithPolicyAsync(Shop, ExpiryLedger.SixMonthsInactive);
        await Ledger.CreatePartnerAsync(Hotel);
        await Ledger.EnrollAsync(Air, "a1");
        await Ledger.EnrollAsync(Shop, "s1");
        await Ledger.EnrollAsync(Hotel, "h1");
    }

    [Fact]
    public async Task ExpiringAsync_LotsAtDifferentDistances_CumulativePointsAndFirstExpiryPerHorizon()
    {
        await AccrueAtAsync((0, 100), (25, 200), (80, 300));
        var now = FirstLotExpiry.AddDays(-20);

        var expiring = await Queries.ExpiringAsync(Air, "a1", now, Horizons, default);

        // From now the lots expire in 20, 45 and 100 days.
        Assert.Equal(
            [new ExpiringPoints(30, 100, FirstLotExpiry), new ExpiringPoints(60, 300, FirstLotExpiry), new ExpiringPoints(90, 300, FirstLotExpiry)],
            expiring);
    }

    [Fact]
    public async Task ExpiringAsync_NothingWithinTheShortestHorizon_ZeroThereAndTheLaterLotsFirstExpiryBeyond()
    {
        await AccrueAtAsync((0, 100));
        var now = FirstLotExpiry.AddDays(-45);

        var expiring = await Queries.ExpiringAsync(Air, "a1", now, Horizons, default);

        Assert.Equal(
            [new ExpiringPoints(30, 0, null), new ExpiringPoints(60, 100, FirstLotExpiry), new ExpiringPoints(90, 100, FirstLotExpiry)],
            expiring);
    }

    [Fact]
    public async Task ExpiringAsync_HorizonsOutOfOrderAndRepeated_ShortestFirstOnce()
    {
        await AccrueAtAsync((0, 100));

        var expiring = await Queries.ExpiringAsync(Air, "a1", _start, [90, 30, 60, 30], default);

        Assert.Equal([30, 60, 90], expiring!.Select(e => e.WithinDays));
    }

    [Fact]
    public async Task ExpiringAsync_LotLifetimeNothingDueWithinAnyHorizon_ZeroForEachHorizon()
    {
        await AccrueAtAsync((0, 100));

        var expiring = await Queries.ExpiringAsync(Air, "a1", _start, Horizons, default);

        Assert.Equal([new ExpiringPoints(30, 0, null), new ExpiringPoints(60, 0, null), new ExpiringPoints(90, 0, null)], expiring);
    }

    [Fact]
    public async Task ExpiringAsync_PartlySpentLot_CountsOnlyItsRemainingPoints()
    {
        await AccrueAtAsync((0, 100));
        await Ledger.RedeemAsync(Air, "a1", 30);

        var expiring = await Queries.ExpiringAsync(Air, "a1", FirstLotExpiry.AddDays(-1), [30], default);

        Assert.Equal([new ExpiringPoints(30, 70, FirstLotExpiry)], expiring);
    }

    [Fact]
    public async Task ExpiringAsync_AfterTheExpiryRun_CountsNothingOfTheExpiredLot()
    {
        await AccrueAtAsync((0, 100), (40, 50));
        Ledger.SetNow(FirstLotExpiry);
        await Ledger.ExpireNowAsync();

        var expiring = await Queries.ExpiringAsync(Air, "a1", FirstLotExpiry, [30, 60], default);

        Assert.Equal([new ExpiringPoints(30, 0, null), new ExpiringPoints(60, 50, _start.AddDays(40).AddMonths(12))], expiring);
    }

    [Fact]
    public async Task ExpiringAsync_NoPolicyAndNoDatedLots_IsEmpty()
    {
        await Ledger.AccrueAsync(Hotel, "h1", 100);

        var expiring = await Queries.ExpiringAsync(Hotel, "h1", _start.AddYears(5), Horizons, default);

        Assert.NotNull(expiring);
        Assert.Empty(expiring);
    }

    [Fact]
    public async Task ExpiringAsync_NotEnrolled_IsNull()
    {
        Assert.Null(await Queries.ExpiringAsync(Air, "nobody", _start, Horizons, default));
    }

    [Fact]
    public async Task ExpiringAsync_LotsCreditedBeforeThePolicy_AreNotCounted()
    {
        await Ledger.AccrueAsync(Hotel, "h1", 100);
        await Ledger.SetPolicyAsync(Hotel, new ExpiryPolicy(ExpiryPolicyKind.LotLifetime, 1));
        await Ledger.AccrueAsync(Hotel, "h1", 50);

        var expiring = await Queries.ExpiringAsync(Hotel, "h1", _start, [60], default);

        Assert.Equal([new ExpiringPoints(60, 50, _start.AddMonths(1))], expiring);
    }

    [Fact]
    public async Task ExpiringAsync_InactiveBalance_WholeBalanceFromTheFirstHorizonReachingTheDeadline()
    {
        await Ledger.AccrueAsync(Shop, "s1", 100);
        Ledger.SetNow(_start.AddDays(1));
        await Ledger.AccrueAsync(Shop, "s1", 50);
        var deadline = Ledger.Now().AddMonths(6);

        var expiring = await Queries.ExpiringAsync(Shop, "s1", deadline.AddDays(-40), Horizons, default);

        Assert.Equal([new ExpiringPoints(30, 0, null), new ExpiringPoints(60, 150, deadline), new ExpiringPoints(90, 150, deadline)], expiring);
    }

    [Fact]
    public async Task ExpiringAsync_InactiveAccountWithNoPoints_IsEmpty()
    {
        var expiring = await Queries.ExpiringAsync(Shop, "s1", _start.AddMonths(6), Horizons, default);

        Assert.NotNull(expiring);
        Assert.Empty(expiring);
    }

    /// <summary>Accrues to a1 at the given days after the start.</summary>
    private async Task AccrueAtAsync(params (int Day, long Points)[] accruals)
    {
        foreach (var (day, points) in accruals)
        {
            Ledger.SetNow(_start.AddDays(day));
            await Ledger.AccrueAsync(Air, "a1", points);
        }
    }
}
