using PartnerExchange.Domain;
using PartnerExchange.Domain.Expiry;
using PartnerExchange.Domain.Rates;
using PartnerExchange.Ledger.Commands;
using PartnerExchange.Ledger.Tests.Infrastructure;
using static PartnerExchange.Ledger.Tests.Infrastructure.LedgerHarness;

namespace PartnerExchange.Ledger.Tests.Expiry;

/// <summary>
/// Every credit opens a lot, every debit spends the oldest lots first, and reversals give back or take
/// exactly the lots their original touched; the audit finds lots and balances equal after each scenario.
/// </summary>
public sealed class LotTests : LedgerTest
{
    private static readonly ExpiryPolicy SixMonthLots = new(ExpiryPolicyKind.LotLifetime, 6);

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await Ledger.CreatePartnerWithPolicyAsync(Air, ExpiryLedger.TwelveMonthLots);
        await Ledger.CreatePartnerWithPolicyAsync(Hotel, SixMonthLots);
        // 1 AIR point buys 2 HOTEL points, for a fee of 5 AIR points.
        await Ledger.SetRateAsync(Air, Hotel, new ExchangeRateTerms(1, 2, 1, 1_000_000, 1, 5, 0, null, null));
        await Ledger.EnrollAsync(Air, "a1");
        await Ledger.EnrollAsync(Hotel, "h1");
    }

    [Fact]
    public async Task Accrue_ThreeAccruals_OpensOneLotEachExpiringTwelveMonthsAfterItsCredit()
    {
        var credited = new List<(long Sequence, DateTimeOffset At)>();
        foreach (var points in new long[] { 100, 200, 300 })
        {
            credited.Add((Responses.SequenceOf(await Ledger.AccrueAsync(Air, "a1", points)), Ledger.Now()));
            Ledger.Clock.Advance(TimeSpan.FromDays(10));
        }

        var lots = await Ledger.LotsAsync(Air, "a1");

        Assert.Equal(
            [
                (credited[0].Sequence, credited[0].At.AddMonths(12), 100L, 100L),
                (credited[1].Sequence, credited[1].At.AddMonths(12), 200L, 200L),
                (credited[2].Sequence, credited[2].At.AddMonths(12), 300L, 300L),
            ],
            lots.Select(l => (l.Sequence, l.ExpiresAt!.Value, l.OriginalPoints, l.RemainingPoints)));
        await Ledger.AssertAuditCleanAsync();
    }

    [Fact]
    public async Task Redeem_AcrossSeveralLots_TakesOldestFirstAndLeavesTheNextPartlySpent()
    {
        await AccrueEachAsync(100, 200, 300);

        var redemption = await Ledger.RedeemAsync(Air, "a1", 250);

        Assert.Equal([0L, 50, 300], (await Ledger.LotsAsync(Air, "a1")).Select(l => l.RemainingPoints));
        var lots = await Ledger.LotsAsync(Air, "a1");
        Assert.Equal([(lots[0].Id, -100L), (lots[1].Id, -150L)], await Ledger.MovementsAsync(Responses.SequenceOf(redemption)));
        await Ledger.AssertAuditCleanAsync();
    }

    [Fact]
    public async Task Redeem_LessThanTheOldestLot_TakesOnlyFromTheOldest()
    {
        await AccrueEachAsync(100, 200);

        await Ledger.RedeemAsync(Air, "a1", 40);

        Assert.Equal([60L, 200], (await Ledger.LotsAsync(Air, "a1")).Select(l => l.RemainingPoints));
        await Ledger.AssertAuditCleanAsync();
    }

    [Fact]
    public async Task Redeem_OverManyLots_SpendsThemAllInOrder()
    {
        // More lots than the writer reads at a time, so the spend crosses its chunks.
        for (var i = 0; i < 40; i++)
        {
            await Ledger.AccrueAsync(Air, "a1", 10);
        }

        await Ledger.RedeemAsync(Air, "a1", 355);

        var remaining = (await Ledger.LotsAsync(Air, "a1")).Select(l => l.RemainingPoints).ToList();
        Assert.Equal(Enumerable.Repeat(0L, 35).Append(5).Concat(Enumerable.Repeat(10L, 4)), remaining);
        await Ledger.AssertAuditCleanAsync();
    }

    [Fact]
    public async Task Redeem_Refused_LeavesLotsUntouched()
    {
        await AccrueEachAsync(100, 200);

        var refused = await Ledger.ResponseAsync(Air, new Redeem(Air, "a1", 301, "too much"));

        Assert.Equal(ErrorReason.InsufficientPoints, Responses.ReasonOf(refused));
        Assert.Equal([100L, 200], (await Ledger.LotsAsync(Air, "a1")).Select(l => l.RemainingPoints));
        Assert.Equal(0, await Ledger.ScalarAsync("SELECT COUNT(*) FROM lot_movements WHERE points < 0"));
    }

    [Fact]
    public async Task Convert_SourceDebitedOldestFirstFeeIncluded_DestinationOpensOneLotUnderItsOwnPolicy()
    {
        await AccrueEachAsync(100, 200);

        var conversion = await Ledger.ConvertAsync(Air, "a1", Hotel, "h1", 150);

        // 150 + 5 fee leave the source, oldest lot first.
        Assert.Equal([0L, 145], (await Ledger.LotsAsync(Air, "a1")).Select(l => l.RemainingPoints));
        var destination = Assert.Single(await Ledger.LotsAsync(Hotel, "h1"));
        Assert.Equal((Responses.SequenceOf(conversion), 300L, 300L), (destination.Sequence, destination.OriginalPoints, destination.RemainingPoints));
        Assert.Equal(Ledger.Now().AddMonths(6), destination.ExpiresAt);
        await Ledger.AssertAuditCleanAsync();
    }

    [Fact]
    public async Task Reverse_Redemption_RestoresTheSameLotsWithTheirExpiry()
    {
        await AccrueEachAsync(100, 200, 300);
        var before = await Ledger.LotsAsync(Air, "a1");
        var redemption = await Ledger.RedeemAsync(Air, "a1", 250);
        Ledger.Clock.Advance(TimeSpan.FromDays(3));

        var reversal = await Ledger.ReverseAsync(Air, redemption);

        Assert.Equal(before, await Ledger.LotsAsync(Air, "a1"));
        Assert.Equal([(before[0].Id, 100L), (before[1].Id, 150L)], await Ledger.MovementsAsync(Responses.SequenceOf(reversal)));
        await Ledger.AssertAuditCleanAsync();
    }

    [Fact]
    public async Task Reverse_Accrual_TakesFromItsOwnLotFirst()
    {
        await Ledger.AccrueAsync(Air, "a1", 100);
        var second = await Ledger.AccrueAsync(Air, "a1", 200);

        await Ledger.ReverseAsync(Air, second);

        // Oldest-first would have emptied the first lot; the reversal takes its own.
        Assert.Equal([100L, 0], (await Ledger.LotsAsync(Air, "a1")).Select(l => l.RemainingPoints));
        await Ledger.AssertAuditCleanAsync();
    }

    [Fact]
    public async Task Reverse_AccrualWhoseLotIsPartlySpent_TakesTheRestOfItsLotThenTheOldest()
    {
        await Ledger.AccrueAsync(Air, "a1", 100);
        var second = await Ledger.AccrueAsync(Air, "a1", 200);
        await Ledger.RedeemAsync(Air, "a1", 150); // first lot 0, second lot 150
        await Ledger.AccrueAsync(Air, "a1", 100);

        await Ledger.ReverseAsync(Air, second);

        Assert.Equal([0L, 0, 50], (await Ledger.LotsAsync(Air, "a1")).Select(l => l.RemainingPoints));
        Assert.Equal(50, await Ledger.BalanceAsync(Air, "a1"));
        await Ledger.AssertAuditCleanAsync();
    }

    [Fact]
    public async Task Reverse_Conversion_RestoresTheSourceLotsAndEmptiesTheDestinationLot()
    {
        await AccrueEachAsync(100, 200);
        var sourceBefore = await Ledger.LotsAsync(Air, "a1");
        var conversion = await Ledger.ConvertAsync(Air, "a1", Hotel, "h1", 150);

        await Ledger.ReverseAsync(Air, conversion);

        Assert.Equal(sourceBefore, await Ledger.LotsAsync(Air, "a1"));
        Assert.Equal(0, Assert.Single(await Ledger.LotsAsync(Hotel, "h1")).RemainingPoints);
        await Ledger.AssertAuditCleanAsync();
    }

    [Fact]
    public async Task Reverse_Conversion_TakesTheDestinationsOwnLotBeforeOlderOnes()
    {
        await Ledger.AccrueAsync(Hotel, "h1", 100);
        await AccrueEachAsync(200);
        var conversion = await Ledger.ConvertAsync(Air, "a1", Hotel, "h1", 100); // h1 gets a 200-point lot

        await Ledger.ReverseAsync(Air, conversion);

        // Oldest-first would have emptied h1's accrual lot; the reversal takes the conversion's own.
        Assert.Equal([100L, 0], (await Ledger.LotsAsync(Hotel, "h1")).Select(l => l.RemainingPoints));
        await Ledger.AssertAuditCleanAsync();
    }

    [Fact]
    public async Task Reverse_ConversionWhoseDestinationLotIsPartlySpent_TakesTheRestOfItsLotThenTheOldest()
    {
        await Ledger.AccrueAsync(Hotel, "h1", 100);
        await AccrueEachAsync(200);
        var conversion = await Ledger.ConvertAsync(Air, "a1", Hotel, "h1", 100); // h1 gets a 200-point lot
        await Ledger.AccrueAsync(Hotel, "h1", 100);
        await Ledger.RedeemAsync(Hotel, "h1", 150); // oldest first: 100 from the first lot, 50 from the conversion's

        await Ledger.ReverseAsync(Air, conversion);

        Assert.Equal([0L, 0, 50], (await Ledger.LotsAsync(Hotel, "h1")).Select(l => l.RemainingPoints));
        Assert.Equal([200L], (await Ledger.LotsAsync(Air, "a1")).Select(l => l.RemainingPoints));
        await Ledger.AssertAuditCleanAsync();
    }

    [Fact]
    public async Task Reverse_ConversionWhoseDestinationSpentTooMuch_IsRefusedAndLeavesLotsUntouched()
    {
        await AccrueEachAsync(200);
        var conversion = await Ledger.ConvertAsync(Air, "a1", Hotel, "h1", 100);
        await Ledger.RedeemAsync(Hotel, "h1", 150);
        var before = (await Ledger.LotsAsync(Air, "a1")).Concat(await Ledger.LotsAsync(Hotel, "h1")).ToList();

        var refused = await Ledger.ResponseAsync(Air, new Reverse(Air, Responses.TransactionIdOf(conversion), "reverse"));

        Assert.Equal(ErrorReason.InsufficientPoints, Responses.ReasonOf(refused));
        Assert.Equal(before, (await Ledger.LotsAsync(Air, "a1")).Concat(await Ledger.LotsAsync(Hotel, "h1")));
        await Ledger.AssertAuditCleanAsync();
    }

    private async Task AccrueEachAsync(params long[] points)
    {
        foreach (var amount in points)
        {
            await Ledger.AccrueAsync(Air, "a1", amount);
            Ledger.Clock.Advance(TimeSpan.FromDays(1));
        }
    }
}
