using PartnerExchange.Domain.Expiry;
using PartnerExchange.Domain.Ledger;
using PartnerExchange.Domain.Rates;
using PartnerExchange.Ledger.Commands;
using PartnerExchange.Ledger.Reading;
using PartnerExchange.Ledger.Tests.Infrastructure;
using PartnerExchange.Ledger.Writing;
using static PartnerExchange.Ledger.Tests.Infrastructure.LedgerHarness;

namespace PartnerExchange.Ledger.Tests.Expiry;

/// <summary>
/// The event outbox: one event per member line of every movement, of the right kind, sign and counterparty,
/// in the program of the line; nothing for a refused request.
/// </summary>
public sealed class EventOutboxTests : LedgerTest
{
    private DateTimeOffset _start;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _start = Ledger.Now();
        await Ledger.CreatePartnerWithPolicyAsync(Air, ExpiryLedger.TwelveMonthLots);
        await Ledger.CreatePartnerAsync(Hotel);
        // 1 AIR point buys 2 HOTEL points, for a fee of 5 AIR points.
        await Ledger.SetRateAsync(Air, Hotel, new ExchangeRateTerms(1, 2, 1, 1_000_000, 1, 5, 0, null, null));
        await Ledger.EnrollAsync(Air, "a1");
        await Ledger.EnrollAsync(Hotel, "h1");
    }

    [Fact]
    public async Task Accrue_WritesOnePointsAccruedEventWithTheBalanceAfter()
    {
        await Ledger.AccrueAsync(Air, "a1", 40);
        var after = await CursorAsync(Air);

        var accrual = await Ledger.AccrueAsync(Air, "a1", 100);

        var e = Assert.Single(await EventsAfterAsync(Air, after));
        Assert.Equal(
            (EventKind.PointsAccrued, "a1", 100L, 140L, Responses.TransactionIdOf(accrual), (string?)null, (string?)null),
            (e.Kind, e.MemberNumber, e.Points, e.BalancePoints, e.TransactionId, e.CounterpartyProgramCode, e.ReversesTransactionId));
        Assert.Equal(Ledger.Now(), e.OccurredAt);
    }

    [Fact]
    public async Task Redeem_WritesOnePointsRedeemedEventWithNegativePoints()
    {
        await Ledger.AccrueAsync(Air, "a1", 100);
        var after = await CursorAsync(Air);

        var redemption = await Ledger.RedeemAsync(Air, "a1", 30);

        var e = Assert.Single(await EventsAfterAsync(Air, after));
        Assert.Equal(
            (EventKind.PointsRedeemed, "a1", -30L, 70L, Responses.TransactionIdOf(redemption)),
            (e.Kind, e.MemberNumber, e.Points, e.BalancePoints, e.TransactionId));
    }

    [Fact]
    public async Task Convert_WritesConvertedOutAtTheSourceWithTheDestinationAsCounterparty()
    {
        await Ledger.AccrueAsync(Air, "a1", 200);
        var after = await CursorAsync(Air);

        var conversion = await Ledger.ConvertAsync(Air, "a1", Hotel, "h1", 150);

        var e = Assert.Single(await EventsAfterAsync(Air, after));
        Assert.Equal(
            (EventKind.PointsConvertedOut, "a1", -155L, 45L, Responses.TransactionIdOf(conversion), Hotel, 1L),
            (e.Kind, e.MemberNumber, e.Points, e.BalancePoints, e.TransactionId, e.CounterpartyProgramCode, e.RateVersion));
    }

    [Fact]
    public async Task Convert_WritesConvertedInAtTheDestinationNamingOnlyTheSourceProgram()
    {
        await Ledger.AccrueAsync(Air, "a1", 200);
        var after = await CursorAsync(Hotel);

        var conversion = await Ledger.ConvertAsync(Air, "a1", Hotel, "h1", 150);

        var e = Assert.Single(await EventsAfterAsync(Hotel, after));
        Assert.Equal(
            (EventKind.PointsConvertedIn, Hotel, "h1", 300L, 300L, Responses.TransactionIdOf(conversion), Air),
            (e.Kind, e.ProgramCode, e.MemberNumber, e.Points, e.BalancePoints, e.TransactionId, e.CounterpartyProgramCode));
    }

    [Fact]
    public async Task Reverse_Redemption_WritesOnePointsReversedEventNamingTheOriginal()
    {
        await Ledger.AccrueAsync(Air, "a1", 100);
        var redemption = await Ledger.RedeemAsync(Air, "a1", 30);
        var after = await CursorAsync(Air);

        var reversal = await Ledger.ReverseAsync(Air, redemption);

        var e = Assert.Single(await EventsAfterAsync(Air, after));
        Assert.Equal(
            (EventKind.PointsReversed, "a1", 30L, 100L, Responses.TransactionIdOf(reversal), Responses.TransactionIdOf(redemption)),
            (e.Kind, e.MemberNumber, e.Points, e.BalancePoints, e.TransactionId, e.ReversesTransactionId));
    }

    [Fact]
    public async Task Reverse_Conversion_WritesPointsReversedOnBothSidesWithEachOthersProgram()
    {
        await Ledger.AccrueAsync(Air, "a1", 200);
        var conversion = await Ledger.ConvertAsync(Air, "a1", Hotel, "h1", 150);
        var (afterAir, afterHotel) = (await CursorAsync(Air), await CursorAsync(Hotel));

        var reversal = await Ledger.ReverseAsync(Air, conversion);

        var source = Assert.Single(await EventsAfterAsync(Air, afterAir));
        var destination = Assert.Single(await EventsAfterAsync(Hotel, afterHotel));
        var (reversalId, originalId) = (Responses.TransactionIdOf(reversal), Responses.TransactionIdOf(conversion));
        Assert.Equal(
            (EventKind.PointsReversed, "a1", 155L, 200L, reversalId, originalId, Hotel),
            (source.Kind, source.MemberNumber, source.Points, source.BalancePoints, source.TransactionId, source.ReversesTransactionId,
                source.CounterpartyProgramCode));
        Assert.Equal(
            (EventKind.PointsReversed, "h1", -300L, 0L, reversalId, originalId, Air),
            (destination.Kind, destination.MemberNumber, destination.Points, destination.BalancePoints, destination.TransactionId,
                destination.ReversesTransactionId, destination.CounterpartyProgramCode));
    }

    [Fact]
    public async Task ExpireBatch_WritesOnePointsExpiredEventPerAccountWithItsExpiryTransaction()
    {
        await Ledger.AccrueAsync(Air, "a1", 100);
        Ledger.Clock.Advance(TimeSpan.FromDays(60));
        await Ledger.AccrueAsync(Air, "a1", 40);
        Ledger.SetNow(_start.AddMonths(12));
        var after = await CursorAsync(Air);

        await Ledger.ExpireNowAsync();

        var e = Assert.Single(await EventsAfterAsync(Air, after));
        var expiry = await Ledger.TransactionIdAsync(Assert.Single(await Ledger.SequencesOfKindAsync(TransactionKind.Expiry)));
        Assert.Equal((EventKind.PointsExpired, "a1", -100L, 40L, expiry), (e.Kind, e.MemberNumber, e.Points, e.BalancePoints, e.TransactionId));
    }

    [Theory]
    [InlineData("redeem more than the balance")]
    [InlineData("accrue to a member not enrolled")]
    [InlineData("convert more than the balance")]
    [InlineData("convert without a rate")]
    [InlineData("reverse a transaction that does not exist")]
    [InlineData("reverse twice")]
    public async Task RefusedRequest_WritesNoEvent(string request)
    {
        await Ledger.AccrueAsync(Air, "a1", 100);
        var redemption = await Ledger.RedeemAsync(Air, "a1", 10);
        await Ledger.ReverseAsync(Air, redemption);
        var before = await Ledger.ScalarAsync("SELECT COUNT(*) FROM events");

        var response = request switch
        {
            "redeem more than the balance" => await Ledger.ResponseAsync(Air, new Redeem(Air, "a1", 101, "too much")),
            "accrue to a member not enrolled" => await Ledger.ResponseAsync(Air, Ledger.AccrueCommand(Air, "ghost", 10)),
            "convert more than the balance" => await Ledger.ResponseAsync(Air, new ConvertPoints(Air, "a1", Hotel, "h1", 96, null, "too much")),
            "convert without a rate" => await Ledger.ResponseAsync(Hotel, new ConvertPoints(Hotel, "h1", Air, "a1", 1, null, "no rate")),
            "reverse a transaction that does not exist" => await Ledger.ResponseAsync(Air, new Reverse(Air, "no-such-transaction", "undo")),
            _ => await Ledger.ResponseAsync(Air, new Reverse(Air, Responses.TransactionIdOf(redemption), "undo again")),
        };

        Assert.True(response.IsRefusal);
        Assert.Equal(before, await Ledger.ScalarAsync("SELECT COUNT(*) FROM events"));
    }

    [Fact]
    public async Task EveryMovementKind_OneEventPerMemberPostingAndAuditClean()
    {
        await Ledger.AccrueAsync(Air, "a1", 300);
        var redemption = await Ledger.RedeemAsync(Air, "a1", 20);
        var conversion = await Ledger.ConvertAsync(Air, "a1", Hotel, "h1", 50);
        await Ledger.ReverseAsync(Air, redemption);
        await Ledger.ReverseAsync(Air, conversion);
        Ledger.SetNow(_start.AddMonths(12));
        await Ledger.ExpireNowAsync();

        var memberPostings = await Ledger.ScalarAsync($"SELECT COUNT(*) FROM postings WHERE account_kind = {(int)AccountKind.Member}");
        var movementEvents = await Ledger.ScalarAsync("SELECT COUNT(*) FROM events WHERE transaction_id IS NOT NULL");

        // accrual 1, redemption 1, conversion 2, two reversals 1 + 2, expiry 1.
        Assert.Equal((8L, 8L), (memberPostings, movementEvents));
        await Ledger.AssertAuditCleanAsync();
    }

    [Fact]
    public async Task UpdatePartner_ExpiryPolicyChanged_WritesOnePolicyChangedEvent()
    {
        var after = await CursorAsync(Hotel);

        await Ledger.SetPolicyAsync(Hotel, new ExpiryPolicy(ExpiryPolicyKind.LotLifetime, 3));
        await Ledger.SetPolicyAsync(Hotel, new ExpiryPolicy(ExpiryPolicyKind.LotLifetime, 3));

        Assert.Equal([EventKind.ExpiryPolicyChanged], (await EventsAfterAsync(Hotel, after)).Select(e => e.Kind));
    }

    private Task<long> CursorAsync(string program) => new EventFeed(Ledger.Database, new CommitSignal()).LatestCursorAsync(program, default);

    private Task<IReadOnlyList<EventRecord>> EventsAfterAsync(string program, long cursor) =>
        new EventFeed(Ledger.Database, new CommitSignal()).ReadAfterAsync(program, cursor, 1_000, default);
}
