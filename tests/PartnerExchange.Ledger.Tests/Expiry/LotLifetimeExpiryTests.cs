using PartnerExchange.Domain;
using PartnerExchange.Domain.Expiry;
using PartnerExchange.Domain.Ledger;
using PartnerExchange.Domain.Rates;
using PartnerExchange.Ledger.Commands;
using PartnerExchange.Ledger.Expiry;
using PartnerExchange.Ledger.Tests.Infrastructure;
using PartnerExchange.Ledger.Writing;
using static PartnerExchange.Ledger.Tests.Infrastructure.LedgerHarness;

namespace PartnerExchange.Ledger.Tests.Expiry;

/// <summary>
/// Under a 12-month lot lifetime, a run as of a moment expires exactly the points of the lots whose expiry
/// has come by then, in one balanced EXPIRY transaction per member account, driven by the fake clock.
/// </summary>
public sealed class LotLifetimeExpiryTests : LedgerTest
{
    private DateTimeOffset _start;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _start = Ledger.Now();
        await Ledger.CreatePartnerWithPolicyAsync(Air, ExpiryLedger.TwelveMonthLots);
        await Ledger.EnrollAsync(Air, "a1");
        await Ledger.EnrollAsync(Air, "a2");
    }

    [Fact]
    public async Task ExpireBatch_TwelveMonthsAfterTheFirstOfThreeMonthlyCredits_ExpiresOnlyTheFirstLot()
    {
        await AccrueMonthlyAsync("a1", 100, 200, 300);
        Ledger.SetNow(_start.AddMonths(12));

        var result = await Ledger.ExpireNowAsync();

        Assert.Equal(new ExpiryBatchResult(100, 1, 0, false), result);
        Assert.Equal([0L, 200, 300], (await Ledger.LotsAsync(Air, "a1")).Select(l => l.RemainingPoints));
        Assert.Equal(500, await Ledger.BalanceAsync(Air, "a1"));
        await Ledger.AssertAuditCleanAsync();
    }

    [Fact]
    public async Task ExpireBatch_TwelveMonthsAfterTheLastCredit_ExpiresEveryLotCreditedByThen()
    {
        await AccrueMonthlyAsync("a1", 100, 200, 300);
        Ledger.SetNow(_start.AddMonths(2).AddMonths(12));

        var result = await Ledger.ExpireNowAsync();

        Assert.Equal((600L, 1L), (result.ExpiredPoints, result.ExpiredAccounts));
        Assert.All(await Ledger.LotsAsync(Air, "a1"), l => Assert.Equal(0, l.RemainingPoints));
        Assert.Equal(0, await Ledger.BalanceAsync(Air, "a1"));
        await Ledger.AssertAuditCleanAsync();
    }

    [Fact]
    public async Task ExpireBatch_OneMicrosecondBeforeTheLotExpires_ExpiresNothing()
    {
        await Ledger.AccrueAsync(Air, "a1", 100);
        Ledger.SetNow(_start.AddMonths(12).AddTicks(-10));

        var result = await Ledger.ExpireNowAsync();

        Assert.Equal(0, result.ExpiredPoints);
        Assert.Empty(await Ledger.SequencesOfKindAsync(TransactionKind.Expiry));
        Assert.Equal(100, await Ledger.BalanceAsync(Air, "a1"));
    }

    [Fact]
    public async Task ExpireBatch_PartlySpentLot_ExpiresOnlyItsRemainingPoints()
    {
        await Ledger.AccrueAsync(Air, "a1", 100);
        await Ledger.RedeemAsync(Air, "a1", 30);
        Ledger.SetNow(_start.AddMonths(12));

        var result = await Ledger.ExpireNowAsync();

        Assert.Equal(70, result.ExpiredPoints);
        Assert.Equal(0, Assert.Single(await Ledger.LotsAsync(Air, "a1")).RemainingPoints);
        Assert.Equal(70, await Ledger.SystemBalanceAsync(Air, AccountKind.Expiry));
        await Ledger.AssertAuditCleanAsync();
    }

    [Fact]
    public async Task ExpireBatch_TwoAccountsWithDueLots_PostsOneBalancedExpiryTransactionPerAccount()
    {
        await Ledger.AccrueAsync(Air, "a1", 100);
        await Ledger.AccrueAsync(Air, "a1", 50);
        await Ledger.AccrueAsync(Air, "a2", 70);
        Ledger.SetNow(_start.AddMonths(12));

        var result = await Ledger.ExpireNowAsync();

        Assert.Equal((220L, 2L), (result.ExpiredPoints, result.ExpiredAccounts));
        var expiries = await Ledger.SequencesOfKindAsync(TransactionKind.Expiry);
        Assert.Equal(2, expiries.Count);
        Assert.Equal(
            [new PostingRow(AccountKind.Member, Air, "a1", -150), new PostingRow(AccountKind.Expiry, Air, "", 150)],
            await Ledger.PostingsAsync(expiries[0]));
        Assert.Equal(
            [new PostingRow(AccountKind.Member, Air, "a2", -70), new PostingRow(AccountKind.Expiry, Air, "", 70)],
            await Ledger.PostingsAsync(expiries[1]));
        Assert.Equal(220, await Ledger.SystemBalanceAsync(Air, AccountKind.Expiry));
        await Ledger.AssertAuditCleanAsync();
    }

    [Fact]
    public async Task ExpireBatch_ExpiryTransaction_TakesExactlyTheDueLots()
    {
        await Ledger.AccrueAsync(Air, "a1", 100);
        Ledger.Clock.Advance(TimeSpan.FromDays(40));
        await Ledger.AccrueAsync(Air, "a1", 50);
        Ledger.SetNow(_start.AddMonths(12));

        await Ledger.ExpireNowAsync();

        var lots = await Ledger.LotsAsync(Air, "a1");
        var expiry = Assert.Single(await Ledger.SequencesOfKindAsync(TransactionKind.Expiry));
        Assert.Equal([(lots[0].Id, -100L)], await Ledger.MovementsAsync(expiry));
    }

    [Fact]
    public async Task ExpireBatch_AccountWithManyDueLots_ExpiresThemAllInOneTransaction()
    {
        // More lots than the writer reads at a time.
        for (var i = 0; i < 70; i++)
        {
            await Ledger.AccrueAsync(Air, "a1", 10);
        }
        Ledger.SetNow(_start.AddMonths(12));

        var result = await Ledger.ExpireNowAsync();

        Assert.Equal(new ExpiryBatchResult(700, 1, 0, false), result);
        Assert.Equal(70, (await Ledger.MovementsAsync(Assert.Single(await Ledger.SequencesOfKindAsync(TransactionKind.Expiry)))).Count);
        await Ledger.AssertAuditCleanAsync();
    }

    [Fact]
    public async Task ExpireBatch_LotsCreditedBeforeThePolicyWasSet_NeverExpire()
    {
        await Ledger.CreatePartnerAsync(Shop);
        await Ledger.EnrollAsync(Shop, "s1");
        await Ledger.AccrueAsync(Shop, "s1", 100);
        await Ledger.SetPolicyAsync(Shop, new ExpiryPolicy(ExpiryPolicyKind.LotLifetime, 1));
        await Ledger.AccrueAsync(Shop, "s1", 50);
        Ledger.SetNow(_start.AddYears(10));

        var result = await Ledger.ExpireNowAsync();

        Assert.Equal(50, result.ExpiredPoints);
        var lots = await Ledger.LotsAsync(Shop, "s1");
        Assert.Equal((null, 100L), (lots[0].ExpiresAt, lots[0].RemainingPoints));
        Assert.Equal(100, await Ledger.BalanceAsync(Shop, "s1"));
        await Ledger.AssertAuditCleanAsync();
    }

    [Fact]
    public async Task ExpireBatch_LifetimeShortened_OldLotsKeepTheirDateAndNewOnesExpireNoSoonerThanTheChangePlusTheNewLifetime()
    {
        await Ledger.AccrueAsync(Air, "a1", 100);
        var change = _start.AddMonths(1);
        Ledger.SetNow(change);
        await Ledger.SetPolicyAsync(Air, new ExpiryPolicy(ExpiryPolicyKind.LotLifetime, 2));
        await Ledger.AccrueAsync(Air, "a1", 50);

        Ledger.SetNow(change.AddMonths(2).AddTicks(-10));
        var early = await Ledger.ExpireNowAsync();
        Ledger.SetNow(change.AddMonths(2));
        var newLot = await Ledger.ExpireNowAsync();
        Ledger.SetNow(_start.AddMonths(12));
        var oldLot = await Ledger.ExpireNowAsync();

        Assert.Equal((0L, 50L, 100L), (early.ExpiredPoints, newLot.ExpiredPoints, oldLot.ExpiredPoints));
        Assert.Equal([_start.AddMonths(12), change.AddMonths(2)], (await Ledger.LotsAsync(Air, "a1")).Select(l => l.ExpiresAt));
    }

    [Fact]
    public async Task ExpireBatch_PolicyRemovedAfterCredit_LotKeepsItsExpiryDate()
    {
        await Ledger.AccrueAsync(Air, "a1", 100);
        await Ledger.SetPolicyAsync(Air, ExpiryPolicy.Never);
        await Ledger.AccrueAsync(Air, "a1", 50);
        Ledger.SetNow(_start.AddMonths(12));

        var result = await Ledger.ExpireNowAsync();

        Assert.Equal(100, result.ExpiredPoints);
        Assert.Null((await Ledger.LotsAsync(Air, "a1"))[1].ExpiresAt);
    }

    [Fact]
    public async Task ExpireBatch_CreditedOnJanuary31WithOneMonthLifetime_LotExpiresOnTheLastDayOfFebruary()
    {
        var credited = await AccrueOnJanuary31WithOneMonthLifetimeAsync();

        Assert.Equal(new DateTimeOffset(2027, 2, 28, 9, 0, 0, TimeSpan.Zero), Assert.Single(await Ledger.LotsAsync(Shop, "s1")).ExpiresAt);
        Ledger.SetNow(new DateTimeOffset(2027, 2, 28, 9, 0, 0, TimeSpan.Zero));
        Assert.Equal(credited, (await Ledger.ExpireAsync(Ledger.Now(), program: Shop)).ExpiredPoints);
    }

    [Fact]
    public async Task ExpireBatch_CreditedOnJanuary31WithOneMonthLifetime_NotExpiredBeforeTheEndOfFebruary()
    {
        await AccrueOnJanuary31WithOneMonthLifetimeAsync();
        Ledger.SetNow(new DateTimeOffset(2027, 2, 28, 9, 0, 0, TimeSpan.Zero).AddTicks(-10));

        var result = await Ledger.ExpireAsync(Ledger.Now(), program: Shop);

        Assert.Equal(0, result.ExpiredPoints);
        Assert.Equal(100, await Ledger.BalanceAsync(Shop, "s1"));
    }

    [Fact]
    public async Task ExpireBatch_SuspendedProgram_ExpiresNothingUntilResumed()
    {
        await Ledger.AccrueAsync(Air, "a1", 100);
        await Ledger.AcceptedAsync(IdempotencyScope.OperatorPrincipal, new SetPartnerSuspended(Air, true));
        Ledger.SetNow(_start.AddMonths(12));

        var suspended = await Ledger.ExpireNowAsync();
        await Ledger.AcceptedAsync(IdempotencyScope.OperatorPrincipal, new SetPartnerSuspended(Air, false));
        var resumed = await Ledger.ExpireNowAsync();

        Assert.Equal((0L, 100L), (suspended.ExpiredPoints, resumed.ExpiredPoints));
    }

    [Fact]
    public async Task ExpireBatch_OneProgramNamed_LeavesOtherProgramsAlone()
    {
        await AccrueOnJanuary31WithOneMonthLifetimeAsync();
        await Ledger.AccrueAsync(Air, "a1", 100);
        Ledger.SetNow(_start.AddYears(2));

        var result = await Ledger.ExpireAsync(Ledger.Now(), program: Shop);

        Assert.Equal(100, result.ExpiredPoints);
        Assert.Equal((0L, 100L), (await Ledger.BalanceAsync(Shop, "s1"), await Ledger.BalanceAsync(Air, "a1")));
    }

    [Fact]
    public async Task ExpireBatch_UnknownProgram_IsRefusedWithPartnerNotFound()
    {
        var response = await Ledger.ResponseAsync(IdempotencyScope.OperatorPrincipal,
            new ExpireBatch(Ledger.Now(), "NOPE", ExpiryLedger.Horizons, ExpiryLedger.LargeBudget, DryRun: false));

        Assert.Equal(ErrorReason.PartnerNotFound, Responses.ReasonOf(response));
    }

    [Fact]
    public async Task Reverse_ExpiryTransaction_IsRefusedAsNotReversible()
    {
        await Ledger.AccrueAsync(Air, "a1", 100);
        Ledger.SetNow(_start.AddMonths(12));
        await Ledger.ExpireNowAsync();
        var expiry = await Ledger.TransactionIdAsync(Assert.Single(await Ledger.SequencesOfKindAsync(TransactionKind.Expiry)));

        var response = await Ledger.ResponseAsync(Air, new Reverse(Air, expiry, "undo expiry"));

        Assert.Equal(ErrorReason.NotReversible, Responses.ReasonOf(response));
    }

    [Fact]
    public async Task Reverse_RedemptionAfterItsLotExpired_RestoredPointsExpireAtTheNextRun()
    {
        await Ledger.AccrueAsync(Air, "a1", 100);
        var redemption = await Ledger.RedeemAsync(Air, "a1", 60);
        Ledger.SetNow(_start.AddMonths(12));
        await Ledger.ExpireNowAsync();

        await Ledger.ReverseAsync(Air, redemption);
        var rerun = await Ledger.ExpireNowAsync();

        // The 60 points went back to the lot they came from, whose date has passed.
        Assert.Equal(60, rerun.ExpiredPoints);
        Assert.Equal(0, await Ledger.BalanceAsync(Air, "a1"));
        await Ledger.AssertAuditCleanAsync();
    }

    [Fact]
    public async Task Reverse_AccrualWhoseLotAlreadyExpired_LeavesTheMembersOtherPointsAlone()
    {
        // Taking the expired points back from another lot would charge the member for them twice.
        var first = await Ledger.AccrueAsync(Air, "a1", 100);
        Ledger.SetNow(_start.AddMonths(1));
        await Ledger.AccrueAsync(Air, "a1", 200);
        Ledger.SetNow(_start.AddMonths(12));
        await Ledger.ExpireNowAsync();

        var response = await Ledger.ResponseAsync(Air, new Reverse(Air, Responses.TransactionIdOf(first), "undo"));

        Assert.Equal(ErrorReason.NotReversible, Responses.ReasonOf(response));
        Assert.Equal(200, await Ledger.BalanceAsync(Air, "a1"));
    }

    [Fact]
    public async Task Reverse_ConversionWhoseDestinationLotExpired_IsRefusedAsNotReversible()
    {
        await Ledger.CreatePartnerWithPolicyAsync(Hotel, new ExpiryPolicy(ExpiryPolicyKind.LotLifetime, 1));
        await Ledger.SetRateAsync(Air, Hotel, new ExchangeRateTerms(1, 1, 1, 1_000_000, 1, 0, 0, null, null));
        await Ledger.EnrollAsync(Hotel, "h1");
        await Ledger.AccrueAsync(Air, "a1", 100);
        var conversion = await Ledger.ConvertAsync(Air, "a1", Hotel, "h1", 100);
        Ledger.SetNow(_start.AddDays(10));
        await Ledger.AccrueAsync(Hotel, "h1", 500);
        Ledger.SetNow(_start.AddMonths(1));
        Assert.Equal(100, (await Ledger.ExpireAsync(Ledger.Now(), program: Hotel)).ExpiredPoints);

        var response = await Ledger.ResponseAsync(Air, new Reverse(Air, Responses.TransactionIdOf(conversion), "undo"));

        Assert.Equal(ErrorReason.NotReversible, Responses.ReasonOf(response));
        Assert.Equal((0L, 500L), (await Ledger.BalanceAsync(Air, "a1"), await Ledger.BalanceAsync(Hotel, "h1")));
    }

    [Fact]
    public async Task Reverse_AccrualWhoseLotWasSpentBeforeItsExpiry_IsStillReversible()
    {
        var first = await Ledger.AccrueAsync(Air, "a1", 100);
        await Ledger.RedeemAsync(Air, "a1", 100);
        Ledger.SetNow(_start.AddMonths(1));
        await Ledger.AccrueAsync(Air, "a1", 300);
        Ledger.SetNow(_start.AddMonths(12));
        await Ledger.ExpireNowAsync();

        await Ledger.ReverseAsync(Air, first);

        Assert.Equal(200, await Ledger.BalanceAsync(Air, "a1"));
        await Ledger.AssertAuditCleanAsync();
    }

    [Fact]
    public async Task Redeem_PastALotsExpiryBeforeTheRun_IsRefusedBeyondTheUnexpiredLotsAndChangesNothing()
    {
        await AccrueMonthlyAsync("a1", 100, 200);
        Ledger.SetNow(_start.AddMonths(12));

        var refused = await Ledger.ResponseAsync(Air, new Redeem(Air, "a1", 201, "into expired points"));

        Assert.Equal(ErrorReason.InsufficientPoints, Responses.ReasonOf(refused));
        Assert.Equal([100L, 200], (await Ledger.LotsAsync(Air, "a1")).Select(l => l.RemainingPoints));
        Assert.Equal(300, await Ledger.BalanceAsync(Air, "a1"));
    }

    [Fact]
    public async Task Redeem_PastALotsExpiryBeforeTheRun_TakesOnlyUnexpiredLotsAndTheRunTakesTheExpiredOne()
    {
        await AccrueMonthlyAsync("a1", 100, 200);
        Ledger.SetNow(_start.AddMonths(12));

        await Ledger.RedeemAsync(Air, "a1", 150);
        var lotsAfterRedeeming = (await Ledger.LotsAsync(Air, "a1")).Select(l => l.RemainingPoints).ToList();
        var result = await Ledger.ExpireNowAsync();

        Assert.Equal([100L, 50], lotsAfterRedeeming);
        Assert.Equal(100, result.ExpiredPoints);
        Assert.Equal(50, await Ledger.BalanceAsync(Air, "a1"));
        await Ledger.AssertAuditCleanAsync();
    }

    private async Task AccrueMonthlyAsync(string member, params long[] points)
    {
        for (var i = 0; i < points.Length; i++)
        {
            Ledger.SetNow(_start.AddMonths(i));
            await Ledger.AccrueAsync(Air, member, points[i]);
        }
    }

    private async Task<long> AccrueOnJanuary31WithOneMonthLifetimeAsync()
    {
        await Ledger.CreatePartnerWithPolicyAsync(Shop, new ExpiryPolicy(ExpiryPolicyKind.LotLifetime, 1));
        await Ledger.EnrollAsync(Shop, "s1");
        Ledger.SetNow(new DateTimeOffset(2027, 1, 31, 9, 0, 0, TimeSpan.Zero));
        await Ledger.AccrueAsync(Shop, "s1", 100);
        return 100;
    }
}
