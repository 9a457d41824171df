using PartnerExchange.Domain.Expiry;
using PartnerExchange.Domain.Ledger;
using PartnerExchange.Ledger.Expiry;
using PartnerExchange.Ledger.Reading;
using PartnerExchange.Ledger.Tests.Infrastructure;
using static PartnerExchange.Ledger.Tests.Infrastructure.LedgerHarness;

namespace PartnerExchange.Ledger.Tests.Expiry;

/// <summary>
/// Expiry warnings at the 30- and 7-day horizons: each horizon warns once about the same points, a late
/// first run never sends a stale longer-horizon warning, and new activity under an inactivity policy starts
/// a new period that is warned about afresh.
/// </summary>
public sealed class ExpiryWarningTests : LedgerTest
{
    private DateTimeOffset _start;

    /// <summary>When a1's first lot (credited at the start) expires.</summary>
    private DateTimeOffset LotExpiry => _start.AddMonths(12);

    /// <summary>When s1's balance expires if it stays inactive after the start.</summary>
    private DateTimeOffset InactivityDeadline => _start.AddMonths(6);

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _start = Ledger.Now();
        await Ledger.CreatePartnerWithPolicyAsync(Air, ExpiryLedger.TwelveMonthLots);
        await Ledger.CreatePartnerWithPolicyAsync(Shop, ExpiryLedger.SixMonthsInactive);
        await Ledger.EnrollAsync(Air, "a1");
        await Ledger.EnrollAsync(Air, "a2");
        await Ledger.EnrollAsync(Shop, "s1");
    }

    [Fact]
    public async Task ExpireBatch_LotThirtyDaysFromExpiry_SendsOneThirtyDayWarningWithPointsAndExpiry()
    {
        await Ledger.AccrueAsync(Air, "a1", 100);
        Ledger.SetNow(LotExpiry.AddDays(-30));

        var result = await Ledger.ExpireNowAsync();

        Assert.Equal((0L, 1L), (result.ExpiredPoints, result.Warnings));
        var warning = Assert.Single(await WarningsAsync(Air));
        Assert.Equal(("a1", 100L, LotExpiry, 30), (warning.MemberNumber, warning.Points, warning.ExpiresAt, warning.WarningDays));
        Assert.Equal((Ledger.Now(), 0L, (string?)null), (warning.OccurredAt, warning.BalancePoints, warning.TransactionId));
    }

    [Fact]
    public async Task ExpireBatch_CatchUpAsOfThePastAfterTheLotExpired_SendsNoStaleWarning()
    {
        await Ledger.AccrueAsync(Air, "a1", 100);
        // The job was down over the expiry; the catch-up starts as of a moment three days before it.
        Ledger.SetNow(LotExpiry.AddDays(1));

        var result = await Ledger.ExpireAsync(LotExpiry.AddDays(-3));

        Assert.Equal((0L, 0L), (result.ExpiredPoints, result.Warnings));
        Assert.Empty(await WarningsAsync(Air));
    }

    [Fact]
    public async Task ExpireBatch_CatchUpAsOfThePastBeforeTheLotExpires_WarnsWithTheComingExpiry()
    {
        await Ledger.AccrueAsync(Air, "a1", 100);
        Ledger.SetNow(LotExpiry.AddDays(-2));

        var result = await Ledger.ExpireAsync(LotExpiry.AddDays(-5));

        Assert.Equal(1, result.Warnings);
        Assert.Equal(LotExpiry, Assert.Single(await WarningsAsync(Air)).ExpiresAt);
    }

    [Fact]
    public async Task ExpireBatch_LotThirtyOneDaysFromExpiry_SendsNoWarning()
    {
        await Ledger.AccrueAsync(Air, "a1", 100);
        Ledger.SetNow(LotExpiry.AddDays(-30).AddTicks(-10));

        var result = await Ledger.ExpireNowAsync();

        Assert.Equal(0, result.Warnings);
        Assert.Empty(await WarningsAsync(Air));
    }

    [Fact]
    public async Task ExpireBatch_RunAgainWithinThirtyDays_SendsNoSecondThirtyDayWarning()
    {
        await Ledger.AccrueAsync(Air, "a1", 100);
        Ledger.SetNow(LotExpiry.AddDays(-30));
        await Ledger.ExpireNowAsync();
        Ledger.SetNow(LotExpiry.AddDays(-20));

        var again = await Ledger.ExpireNowAsync();

        Assert.Equal(0, again.Warnings);
        Assert.Single(await WarningsAsync(Air));
    }

    [Fact]
    public async Task ExpireBatch_SevenDaysFromExpiryAfterThirtyDayWarning_SendsTheSevenDayWarningOnce()
    {
        await Ledger.AccrueAsync(Air, "a1", 100);
        foreach (var daysBefore in new[] { 30, 7, 3 })
        {
            Ledger.SetNow(LotExpiry.AddDays(-daysBefore));
            await Ledger.ExpireNowAsync();
        }

        var warnings = await WarningsAsync(Air);

        Assert.Equal([(30, 100L), (7, 100L)], warnings.Select(w => (w.WarningDays, w.Points)));
    }

    [Fact]
    public async Task ExpireBatch_FirstRunFiveDaysBeforeExpiry_SendsOnlyTheSevenDayWarning()
    {
        await Ledger.AccrueAsync(Air, "a1", 100);
        Ledger.SetNow(LotExpiry.AddDays(-5));
        var first = await Ledger.ExpireNowAsync();
        Ledger.SetNow(LotExpiry.AddDays(-4));

        var again = await Ledger.ExpireNowAsync();

        Assert.Equal((1L, 0L), (first.Warnings, again.Warnings));
        Assert.Equal(7, Assert.Single(await WarningsAsync(Air)).WarningDays);
    }

    [Fact]
    public async Task ExpireBatch_TwoLotsWithinTheHorizon_OneWarningWithTheirSumAndEarliestExpiry()
    {
        await Ledger.AccrueAsync(Air, "a1", 100);
        Ledger.SetNow(_start.AddDays(5));
        await Ledger.AccrueAsync(Air, "a1", 50);
        // Both lots expire within 30 days of this run: in 20 and 25 days.
        Ledger.SetNow(LotExpiry.AddDays(-20));

        await Ledger.ExpireNowAsync();

        var warning = Assert.Single(await WarningsAsync(Air));
        Assert.Equal((150L, LotExpiry), (warning.Points, warning.ExpiresAt));
    }

    [Fact]
    public async Task ExpireBatch_LotEnteringTheHorizonAfterAWarning_IsWarnedOnItsOwn()
    {
        await Ledger.AccrueAsync(Air, "a1", 100);
        Ledger.SetNow(_start.AddDays(10));
        await Ledger.AccrueAsync(Air, "a1", 50);
        var secondExpiry = Ledger.Now().AddMonths(12);
        Ledger.SetNow(LotExpiry.AddDays(-30));
        await Ledger.ExpireNowAsync();
        Ledger.SetNow(secondExpiry.AddDays(-30));

        await Ledger.ExpireNowAsync();

        var warnings = await WarningsAsync(Air);
        Assert.Equal([(100L, LotExpiry), (50L, secondExpiry)], warnings.Select(w => (w.Points, w.ExpiresAt!.Value)));
    }

    [Fact]
    public async Task ExpireBatch_PartlySpentLot_WarnsOfItsRemainingPoints()
    {
        await Ledger.AccrueAsync(Air, "a1", 100);
        await Ledger.RedeemAsync(Air, "a1", 40);
        Ledger.SetNow(LotExpiry.AddDays(-30));

        await Ledger.ExpireNowAsync();

        Assert.Equal(60, Assert.Single(await WarningsAsync(Air)).Points);
    }

    [Fact]
    public async Task ExpireBatch_TwoMembersWithDueLots_OneWarningEach()
    {
        await Ledger.AccrueAsync(Air, "a1", 100);
        await Ledger.AccrueAsync(Air, "a2", 70);
        Ledger.SetNow(LotExpiry.AddDays(-30));

        var result = await Ledger.ExpireNowAsync();

        Assert.Equal(2, result.Warnings);
        Assert.Equal([("a1", 100L), ("a2", 70L)], (await WarningsAsync(Air)).Select(w => (w.MemberNumber, w.Points)));
    }

    [Fact]
    public async Task ExpireBatch_SpentLot_SendsNoWarning()
    {
        await Ledger.AccrueAsync(Air, "a1", 100);
        await Ledger.RedeemAsync(Air, "a1", 100);
        Ledger.SetNow(LotExpiry.AddDays(-30));

        var result = await Ledger.ExpireNowAsync();

        Assert.Equal(0, result.Warnings);
    }

    [Fact]
    public async Task ExpireBatch_InactiveBalanceThirtyDaysFromDeadline_WarnsOnceOfTheWholeBalance()
    {
        await Ledger.AccrueAsync(Shop, "s1", 100);
        Ledger.SetNow(_start.AddDays(1));
        await Ledger.AccrueAsync(Shop, "s1", 20);
        var deadline = Ledger.Now().AddMonths(6);
        Ledger.SetNow(deadline.AddDays(-30));
        await Ledger.ExpireNowAsync();
        Ledger.SetNow(deadline.AddDays(-29));

        var again = await Ledger.ExpireNowAsync();

        Assert.Equal(0, again.Warnings);
        var warning = Assert.Single(await WarningsAsync(Shop));
        Assert.Equal(("s1", 120L, deadline, 30), (warning.MemberNumber, warning.Points, warning.ExpiresAt, warning.WarningDays));
    }

    [Fact]
    public async Task ExpireBatch_InactiveBalanceSevenDaysFromDeadline_SendsTheSevenDayWarningOnce()
    {
        await Ledger.AccrueAsync(Shop, "s1", 100);
        foreach (var daysBefore in new[] { 30, 7, 6 })
        {
            Ledger.SetNow(InactivityDeadline.AddDays(-daysBefore));
            await Ledger.ExpireNowAsync();
        }

        var warnings = await WarningsAsync(Shop);

        Assert.Equal([30, 7], warnings.Select(w => w.WarningDays));
    }

    [Fact]
    public async Task ExpireBatch_InactiveBalanceFirstRunFiveDaysBeforeDeadline_SendsOnlyTheSevenDayWarning()
    {
        await Ledger.AccrueAsync(Shop, "s1", 100);
        Ledger.SetNow(InactivityDeadline.AddDays(-5));

        await Ledger.ExpireNowAsync();
        await Ledger.ExpireNowAsync();

        Assert.Equal(7, Assert.Single(await WarningsAsync(Shop)).WarningDays);
    }

    [Fact]
    public async Task ExpireBatch_ActivityAfterAnInactivityWarning_WarnsTheNewPeriodAfresh()
    {
        await Ledger.AccrueAsync(Shop, "s1", 100);
        Ledger.SetNow(InactivityDeadline.AddDays(-30));
        await Ledger.ExpireNowAsync();
        Ledger.SetNow(InactivityDeadline.AddDays(-20));
        await Ledger.AccrueAsync(Shop, "s1", 10);
        var newDeadline = Ledger.Now().AddMonths(6);
        Ledger.SetNow(newDeadline.AddDays(-30));

        var result = await Ledger.ExpireNowAsync();

        Assert.Equal((0L, 1L), (result.ExpiredPoints, result.Warnings));
        var warnings = await WarningsAsync(Shop);
        Assert.Equal([(30, 100L, InactivityDeadline), (30, 110L, newDeadline)], warnings.Select(w => (w.WarningDays, w.Points, w.ExpiresAt!.Value)));
    }

    [Fact]
    public async Task ExpireBatch_ReversalAfterAnInactivityWarning_SendsNoNewWarning()
    {
        await Ledger.AccrueAsync(Shop, "s1", 100);
        var redemption = await Ledger.RedeemAsync(Shop, "s1", 40);
        Ledger.SetNow(InactivityDeadline.AddDays(-30));
        await Ledger.ExpireNowAsync();
        Ledger.SetNow(InactivityDeadline.AddDays(-25));
        await Ledger.ReverseAsync(Shop, redemption);

        var result = await Ledger.ExpireNowAsync();

        Assert.Equal(0, result.Warnings);
        Assert.Equal(60, Assert.Single(await WarningsAsync(Shop)).Points);
    }

    [Fact]
    public async Task ExpireBatch_WarningsAtBothHorizonsInOneRun_ShortestHorizonFirst()
    {
        await Ledger.AccrueAsync(Air, "a1", 100);
        Ledger.SetNow(_start.AddDays(20));
        await Ledger.AccrueAsync(Air, "a2", 70);
        Ledger.SetNow(LotExpiry.AddDays(-5));

        var result = await Ledger.ExpireNowAsync();

        Assert.Equal(2, result.Warnings);
        Assert.Equal([("a1", 7), ("a2", 30)], (await WarningsAsync(Air)).Select(w => (w.MemberNumber, w.WarningDays)));
    }

    [Fact]
    public async Task ExpireBatch_SwitchToInactivity_WarnsAtEachHorizonBeforeTheDeadlineAfterTheChangeAndThenExpires()
    {
        await Ledger.CreatePartnerAsync(Hotel);
        await Ledger.EnrollAsync(Hotel, "h1");
        await Ledger.AccrueAsync(Hotel, "h1", 100);
        var change = _start.AddMonths(13);
        Ledger.SetNow(change);
        await Ledger.SetPolicyAsync(Hotel, new ExpiryPolicy(ExpiryPolicyKind.Inactivity, 12));
        var deadline = change.AddMonths(12);

        var runs = new List<ExpiryBatchResult>();
        foreach (var moment in new[] { change, deadline.AddDays(-30), deadline.AddDays(-7), deadline })
        {
            Ledger.SetNow(moment);
            runs.Add(await Ledger.ExpireNowAsync());
        }

        Assert.Equal([(0L, 0L), (0L, 1L), (0L, 1L), (100L, 0L)], runs.Select(r => (r.ExpiredPoints, r.Warnings)));
        var warnings = await WarningsAsync(Hotel);
        Assert.Equal([(30, 100L, deadline), (7, 100L, deadline)], warnings.Select(w => (w.WarningDays, w.Points, w.ExpiresAt!.Value)));
    }

    [Fact]
    public async Task ExpireBatch_InactivityPeriodChangedAfterAWarning_WarnsAgainOfTheNewDeadline()
    {
        await Ledger.AccrueAsync(Shop, "s1", 100);
        Ledger.SetNow(InactivityDeadline.AddDays(-30));
        await Ledger.ExpireNowAsync();
        var change = InactivityDeadline.AddDays(-20);
        Ledger.SetNow(change);
        await Ledger.SetPolicyAsync(Shop, new ExpiryPolicy(ExpiryPolicyKind.Inactivity, 3));
        var deadline = change.AddMonths(3);
        Ledger.SetNow(deadline.AddDays(-30));

        var result = await Ledger.ExpireNowAsync();

        Assert.Equal(1, result.Warnings);
        var warnings = await WarningsAsync(Shop);
        Assert.Equal([(30, InactivityDeadline), (30, deadline)], warnings.Select(w => (w.WarningDays, w.ExpiresAt!.Value)));
    }

    private Task<List<EventRecord>> WarningsAsync(string program) => Ledger.EventsAsync(program, EventKind.ExpiryWarning);
}
