using PartnerExchange.Domain;
using PartnerExchange.Domain.Expiry;
using PartnerExchange.Domain.Ledger;
using PartnerExchange.Domain.Rates;
using PartnerExchange.Ledger.Commands;
using PartnerExchange.Ledger.Expiry;
using PartnerExchange.Ledger.Reading;
using PartnerExchange.Ledger.Tests.Infrastructure;
using static PartnerExchange.Ledger.Tests.Infrastructure.LedgerHarness;

namespace PartnerExchange.Ledger.Tests.Expiry;

/// <summary>
/// Under a 6-month inactivity policy the whole balance expires 6 months after the last accrual, redemption
/// or conversion (either side); reversals and expiries are not activity.
/// </summary>
public sealed class InactivityExpiryTests : LedgerTest
{
    private DateTimeOffset _start;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _start = Ledger.Now();
        await Ledger.CreatePartnerWithPolicyAsync(Shop, ExpiryLedger.SixMonthsInactive);
        await Ledger.CreatePartnerAsync(Hotel);
        await Ledger.SetRateAsync(Shop, Hotel, new ExchangeRateTerms(2, 1, 2, 1_000_000, 2, 0, 0, null, null));
        await Ledger.SetRateAsync(Hotel, Shop, new ExchangeRateTerms(2, 1, 2, 1_000_000, 2, 0, 0, null, null));
        await Ledger.EnrollAsync(Shop, "s1");
        await Ledger.EnrollAsync(Hotel, "h1");
    }

    [Fact]
    public async Task ExpireBatch_SixMonthsWithoutActivity_ExpiresTheWholeBalance()
    {
        await Ledger.AccrueAsync(Shop, "s1", 100);
        Ledger.SetNow(_start.AddMonths(1));
        await Ledger.AccrueAsync(Shop, "s1", 50);
        Ledger.SetNow(_start.AddMonths(1).AddMonths(6));

        var result = await Ledger.ExpireNowAsync();

        Assert.Equal((150L, 1L), (result.ExpiredPoints, result.ExpiredAccounts));
        Assert.Equal(0, await Ledger.BalanceAsync(Shop, "s1"));
        Assert.All(await Ledger.LotsAsync(Shop, "s1"), l => Assert.Equal(0, l.RemainingPoints));
        await Ledger.AssertAuditCleanAsync();
    }

    [Fact]
    public async Task ExpireBatch_OneMicrosecondBeforeTheDeadline_ExpiresNothing()
    {
        await Ledger.AccrueAsync(Shop, "s1", 100);
        Ledger.SetNow(_start.AddMonths(6).AddTicks(-10));

        var result = await Ledger.ExpireNowAsync();

        Assert.Equal(0, result.ExpiredPoints);
        Assert.Equal(100, await Ledger.BalanceAsync(Shop, "s1"));
    }

    [Fact]
    public async Task ExpireBatch_LastActiveOnJanuary31WithOneMonthPeriod_ExpiresOnTheLastDayOfFebruaryNotBefore()
    {
        await Ledger.CreatePartnerWithPolicyAsync(Air, new ExpiryPolicy(ExpiryPolicyKind.Inactivity, 1));
        await Ledger.EnrollAsync(Air, "a1");
        Ledger.SetNow(new DateTimeOffset(2027, 1, 31, 9, 0, 0, TimeSpan.Zero));
        await Ledger.AccrueAsync(Air, "a1", 100);
        var deadline = new DateTimeOffset(2027, 2, 28, 9, 0, 0, TimeSpan.Zero);
        // A real run is never as of a moment still to come: catch up from a clock past the deadline.
        Ledger.SetNow(deadline.AddHours(1));

        var before = await Ledger.ExpireAsync(deadline.AddTicks(-10), program: Air);
        var at = await Ledger.ExpireAsync(deadline, program: Air);

        Assert.Equal((0L, 100L), (before.ExpiredPoints, at.ExpiredPoints));
    }

    [Fact]
    public async Task Accrue_UnderInactivityPolicy_OpensLotsWithoutExpiryDate()
    {
        await Ledger.AccrueAsync(Shop, "s1", 100);

        Assert.Null(Assert.Single(await Ledger.LotsAsync(Shop, "s1")).ExpiresAt);
    }

    [Fact]
    public async Task ExpireBatch_AccrualInBetween_ResetsTheClock()
    {
        await Ledger.AccrueAsync(Shop, "s1", 100);
        Ledger.SetNow(_start.AddMonths(4));
        await Ledger.AccrueAsync(Shop, "s1", 10);

        Assert.Equal((0L, 110L), await ExpiredAtSixThenTenMonthsAsync());
    }

    [Fact]
    public async Task ExpireBatch_RedemptionInBetween_ResetsTheClock()
    {
        await Ledger.AccrueAsync(Shop, "s1", 100);
        Ledger.SetNow(_start.AddMonths(4));
        await Ledger.RedeemAsync(Shop, "s1", 10);

        Assert.Equal((0L, 90L), await ExpiredAtSixThenTenMonthsAsync());
    }

    [Fact]
    public async Task ExpireBatch_ConversionOutInBetween_ResetsTheClock()
    {
        await Ledger.AccrueAsync(Shop, "s1", 100);
        Ledger.SetNow(_start.AddMonths(4));
        await Ledger.ConvertAsync(Shop, "s1", Hotel, "h1", 10);

        Assert.Equal((0L, 90L), await ExpiredAtSixThenTenMonthsAsync());
    }

    [Fact]
    public async Task ExpireBatch_ConversionInInBetween_ResetsTheClock()
    {
        await Ledger.AccrueAsync(Shop, "s1", 100);
        await Ledger.AccrueAsync(Hotel, "h1", 100);
        Ledger.SetNow(_start.AddMonths(4));
        await Ledger.ConvertAsync(Hotel, "h1", Shop, "s1", 20);

        Assert.Equal((0L, 110L), await ExpiredAtSixThenTenMonthsAsync());
    }

    [Fact]
    public async Task ExpireBatch_ReversalInBetween_DoesNotResetTheClock()
    {
        await Ledger.AccrueAsync(Shop, "s1", 100);
        var redemption = await Ledger.RedeemAsync(Shop, "s1", 40);
        Ledger.SetNow(_start.AddMonths(4));
        await Ledger.ReverseAsync(Shop, redemption);
        Ledger.SetNow(_start.AddMonths(6));

        var result = await Ledger.ExpireNowAsync();

        Assert.Equal(100, result.ExpiredPoints);
        Assert.Equal(0, await Ledger.BalanceAsync(Shop, "s1"));
        await Ledger.AssertAuditCleanAsync();
    }

    [Fact]
    public async Task ExpireBatch_AfterAWholeBalanceExpired_ExpiryWasNotActivityAndNewAccrualStartsAFreshPeriod()
    {
        await Ledger.AccrueAsync(Shop, "s1", 100);
        Ledger.SetNow(_start.AddMonths(6));
        await Ledger.ExpireNowAsync();
        Ledger.SetNow(_start.AddMonths(8));
        await Ledger.AccrueAsync(Shop, "s1", 30);

        Ledger.SetNow(_start.AddMonths(13));
        var early = await Ledger.ExpireNowAsync();
        Ledger.SetNow(_start.AddMonths(14));
        var late = await Ledger.ExpireNowAsync();

        Assert.Equal((0L, 30L), (early.ExpiredPoints, late.ExpiredPoints));
        Assert.Equal(2, (await Ledger.SequencesOfKindAsync(TransactionKind.Expiry)).Count);
    }

    [Fact]
    public async Task ExpireBatch_ActivityAfterTheDeadlineBeforeAnyRun_StillExpiresTheBalanceThatHadExpired()
    {
        await Ledger.AccrueAsync(Shop, "s1", 100);
        // The deadline passes between two runs of the job; the member accrues before the next one.
        Ledger.SetNow(_start.AddMonths(6).AddHours(1));
        await Ledger.AccrueAsync(Shop, "s1", 20);
        Ledger.SetNow(_start.AddMonths(6).AddHours(2));

        var result = await Ledger.ExpireNowAsync();

        // By the policy the 100 points expired at the deadline; the later accrual starts a new period for its own 20.
        Assert.Equal(100, result.ExpiredPoints);
        Assert.Equal(20, await Ledger.BalanceAsync(Shop, "s1"));
    }

    [Fact]
    public async Task Accrue_AfterTheDeadlineBeforeAnyRun_DatesTheLapsedLotsToTheDeadlineAndNotTheNewOne()
    {
        await Ledger.AccrueAsync(Shop, "s1", 100);
        Ledger.SetNow(_start.AddMonths(6).AddHours(1));

        await Ledger.AccrueAsync(Shop, "s1", 20);

        Assert.Equal([_start.AddMonths(6), null], (await Ledger.LotsAsync(Shop, "s1")).Select(l => l.ExpiresAt));
    }

    [Fact]
    public async Task ExpireBatch_ActivityAfterTheDeadline_StartsANewPeriodForTheNewPoints()
    {
        await Ledger.AccrueAsync(Shop, "s1", 100);
        var restart = _start.AddMonths(6).AddHours(1);
        Ledger.SetNow(restart);
        await Ledger.AccrueAsync(Shop, "s1", 20);
        await Ledger.ExpireNowAsync();

        Ledger.SetNow(restart.AddMonths(6).AddTicks(-10));
        var early = await Ledger.ExpireNowAsync();
        Ledger.SetNow(restart.AddMonths(6));
        var late = await Ledger.ExpireNowAsync();

        Assert.Equal((0L, 20L), (early.ExpiredPoints, late.ExpiredPoints));
        await Ledger.AssertAuditCleanAsync();
    }

    [Fact]
    public async Task Redeem_AfterTheDeadlineBeforeAnyRun_IsRefusedAndTheRunExpiresTheWholeBalance()
    {
        await Ledger.AccrueAsync(Shop, "s1", 100);
        Ledger.SetNow(_start.AddMonths(6).AddHours(1));

        // The lapsed balance is gone to the member before the run posts it, as lots past their date are.
        var refused = await Ledger.ResponseAsync(Shop, new Redeem(Shop, "s1", 30, "late"));
        var result = await Ledger.ExpireNowAsync();

        Assert.Equal(ErrorReason.InsufficientPoints, Responses.ReasonOf(refused));
        Assert.Equal(100, result.ExpiredPoints);
        Assert.Equal(0, await Ledger.BalanceAsync(Shop, "s1"));
        await Ledger.AssertAuditCleanAsync();
    }

    [Fact]
    public async Task Redeem_OneMicrosecondBeforeTheDeadline_SpendsTheWholeBalance()
    {
        await Ledger.AccrueAsync(Shop, "s1", 100);
        Ledger.SetNow(_start.AddMonths(6).AddTicks(-10));

        await Ledger.RedeemAsync(Shop, "s1", 100);

        Assert.Equal(0, await Ledger.BalanceAsync(Shop, "s1"));
        await Ledger.AssertAuditCleanAsync();
    }

    [Fact]
    public async Task ExpireBatch_InactiveAccountWithZeroBalance_PostsNothing()
    {
        await Ledger.AccrueAsync(Shop, "s1", 100);
        await Ledger.RedeemAsync(Shop, "s1", 100);
        Ledger.SetNow(_start.AddYears(1));

        var result = await Ledger.ExpireNowAsync();

        Assert.Equal(new ExpiryBatchResult(0, 0, 0, false), result);
        Assert.Empty(await Ledger.SequencesOfKindAsync(TransactionKind.Expiry));
    }

    [Fact]
    public async Task ExpireBatch_InactivityPolicy_LeavesOtherProgramsMembersAlone()
    {
        await Ledger.AccrueAsync(Hotel, "h1", 100);
        Ledger.SetNow(_start.AddYears(5));

        await Ledger.ExpireNowAsync();

        Assert.Equal(100, await Ledger.BalanceAsync(Hotel, "h1"));
    }

    [Fact]
    public async Task ExpireBatch_SwitchToInactivityWithMemberInactiveThirteenMonths_ExpiresNothingAtTheNextRun()
    {
        await Ledger.AccrueAsync(Hotel, "h1", 100);
        Ledger.SetNow(_start.AddMonths(13));
        await Ledger.SetPolicyAsync(Hotel, TwelveMonthsInactive);
        Ledger.SetNow(_start.AddMonths(13).AddMinutes(15));

        var result = await Ledger.ExpireNowAsync();

        Assert.Equal(0, result.ExpiredPoints);
        Assert.Equal(100, await Ledger.BalanceAsync(Hotel, "h1"));
    }

    [Fact]
    public async Task ExpireBatch_SwitchToInactivity_ExpiresTwelveMonthsAfterTheChangeNotBefore()
    {
        await Ledger.AccrueAsync(Hotel, "h1", 100);
        var change = _start.AddMonths(13);
        Ledger.SetNow(change);
        await Ledger.SetPolicyAsync(Hotel, TwelveMonthsInactive);

        Ledger.SetNow(change.AddMonths(12).AddTicks(-10));
        var early = await Ledger.ExpireNowAsync();
        Ledger.SetNow(change.AddMonths(12));
        var due = await Ledger.ExpireNowAsync();

        Assert.Equal((0L, 100L), (early.ExpiredPoints, due.ExpiredPoints));
        await Ledger.AssertAuditCleanAsync();
    }

    [Fact]
    public async Task ExpireBatch_InactivityShortenedForAMemberPastTheNewPeriod_ExpiresOnlyTheNewPeriodAfterTheChange()
    {
        await Ledger.AccrueAsync(Shop, "s1", 100);
        var change = _start.AddMonths(4);
        Ledger.SetNow(change);
        await Ledger.SetPolicyAsync(Shop, new ExpiryPolicy(ExpiryPolicyKind.Inactivity, 3));

        var atChange = await Ledger.ExpireNowAsync();
        Ledger.SetNow(change.AddMonths(3).AddTicks(-10));
        var early = await Ledger.ExpireNowAsync();
        Ledger.SetNow(change.AddMonths(3));
        var due = await Ledger.ExpireNowAsync();

        Assert.Equal((0L, 0L, 100L), (atChange.ExpiredPoints, early.ExpiredPoints, due.ExpiredPoints));
    }

    [Fact]
    public async Task Redeem_AfterSwitchToInactivityForAMemberInactiveThirteenMonths_SpendsTheBalance()
    {
        await Ledger.AccrueAsync(Hotel, "h1", 100);
        Ledger.SetNow(_start.AddMonths(13));
        await Ledger.SetPolicyAsync(Hotel, TwelveMonthsInactive);

        // Before the change's own period runs out the balance has not lapsed, so the member may spend all of it.
        await Ledger.RedeemAsync(Hotel, "h1", 100);

        Assert.Equal(0, await Ledger.BalanceAsync(Hotel, "h1"));
        await Ledger.AssertAuditCleanAsync();
    }

    [Fact]
    public async Task Expiring_AfterSwitchToInactivityForAMemberInactiveThirteenMonths_ShowsTheDeadlineAfterTheChange()
    {
        await Ledger.AccrueAsync(Hotel, "h1", 100);
        var change = _start.AddMonths(13);
        Ledger.SetNow(change);
        await Ledger.SetPolicyAsync(Hotel, TwelveMonthsInactive);

        var now = await new ExpiryQueries(Ledger.Database).ExpiringAsync(Hotel, "h1", change, [90], default);
        var later = await new ExpiryQueries(Ledger.Database).ExpiringAsync(Hotel, "h1", change.AddMonths(12).AddDays(-30), [30], default);

        Assert.Equal(new ExpiringPoints(90, 0, null), Assert.Single(now!));
        Assert.Equal(new ExpiringPoints(30, 100, change.AddMonths(12)), Assert.Single(later!));
    }

    private static readonly ExpiryPolicy TwelveMonthsInactive = new(ExpiryPolicyKind.Inactivity, 12);

    /// <summary>What runs as of 6 months after the start (the deadline without activity) and then 10 months expire.</summary>
    private async Task<(long AtSix, long AtTen)> ExpiredAtSixThenTenMonthsAsync()
    {
        Ledger.SetNow(_start.AddMonths(6));
        var atSix = await Ledger.ExpireNowAsync();
        Ledger.SetNow(_start.AddMonths(10));
        var atTen = await Ledger.ExpireNowAsync();
        return (atSix.ExpiredPoints, atTen.ExpiredPoints);
    }
}
