using PartnerExchange.Domain.Ledger;
using PartnerExchange.Domain.Rates;
using PartnerExchange.Ledger.Commands;
using PartnerExchange.Ledger.Reading;
using PartnerExchange.Ledger.Tests.Infrastructure;
using PartnerExchange.Ledger.Writing;
using static PartnerExchange.Ledger.Tests.Infrastructure.LedgerHarness;

namespace PartnerExchange.Ledger.Tests.Reading;

/// <summary>
/// Account snapshots and transaction lists over a small history spaced an hour apart:
/// 1 accrual m1 +1000, 2 redemption m1 −200, 3 accrual m2 +50, 4 conversion m1 → HOTEL h1 (100 + fee 2 → 80),
/// 5 reversal of 2 (m1 +200), 6 accrual m1 +30.
/// </summary>
public sealed class LedgerQueriesTests : LedgerTest
{
    private static readonly ExchangeRateTerms AirToHotel = new(10, 8, 10, 10_000, 10, 2, 0, null, null);

    private readonly List<DateTimeOffset> _times = [];
    private readonly List<string> _ids = [];

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await Ledger.CreatePartnerAsync(Air);
        await Ledger.CreatePartnerAsync(Hotel, "EUR", 8_000);
        await Ledger.SetRateAsync(Air, Hotel, AirToHotel);
        await Ledger.EnrollAsync(Air, "m1");
        await Ledger.EnrollAsync(Air, "m2");
        await Ledger.EnrollAsync(Hotel, "h1");
        await StepAsync(() => Ledger.AccrueAsync(Air, "m1", 1_000, "welcome"));
        await StepAsync(() => Ledger.AcceptedAsync(Air, new Redeem(Air, "m1", 200, "lounge")));
        await StepAsync(() => Ledger.AccrueAsync(Air, "m2", 50, "flight"));
        await StepAsync(() => Ledger.AcceptedAsync(Air, new ConvertPoints(Air, "m1", Hotel, "h1", 100, null, "to-hotel")));
        await StepAsync(() => Ledger.AcceptedAsync(Air, new Reverse(Air, _ids[1], "lounge-cancelled")));
        await StepAsync(() => Ledger.AccrueAsync(Air, "m1", 30, "review"));
    }

    [Fact]
    public async Task GetAccountAsync_MixedHistory_BalanceAndTotalsByKind()
    {
        var account = await Ledger.Queries.GetAccountAsync(Air, "m1", default);

        Assert.NotNull(account);
        Assert.Equal(1_000 - 200 - 102 + 200 + 30, account.BalancePoints);
        Assert.Equal(6, account.LastSequence);
        Assert.Equal(new MemberRecord(Air, "m1", _times[0] - TimeSpan.FromHours(1)), account.Member);
        Assert.Equal(4, account.Totals.Count);
        Assert.Equal((1_030L, 0L), account.Totals[TransactionKind.Accrual]);
        Assert.Equal((0L, 200L), account.Totals[TransactionKind.Redemption]);
        Assert.Equal((0L, 102L), account.Totals[TransactionKind.Conversion]);
        Assert.Equal((200L, 0L), account.Totals[TransactionKind.Reversal]);
    }

    [Fact]
    public async Task GetAccountAsync_DestinationOfAConversion_CreditedUnderConversion()
    {
        var account = await Ledger.Queries.GetAccountAsync(Hotel, "h1", default);

        Assert.Equal(80, account!.BalancePoints);
        Assert.Equal(4, account.LastSequence);
        Assert.Equal((80L, 0L), Assert.Single(account.Totals).Value);
        Assert.Equal(TransactionKind.Conversion, Assert.Single(account.Totals).Key);
    }

    [Fact]
    public async Task GetAccountAsync_EnrolledWithoutTransactions_ZeroBalanceAndNoTotals()
    {
        await Ledger.EnrollAsync(Air, "m3");

        var account = await Ledger.Queries.GetAccountAsync(Air, "m3", default);

        Assert.Equal(0, account!.BalancePoints);
        Assert.Empty(account.Totals);
        Assert.Equal(0, account.LastSequence);
    }

    [Fact]
    public async Task GetAccountAsync_UnknownMemberOrOtherProgram_ReturnsNull()
    {
        Assert.Null(await Ledger.Queries.GetAccountAsync(Air, "nobody", default));
        Assert.Null(await Ledger.Queries.GetAccountAsync(Hotel, "m1", default));
    }

    [Fact]
    public async Task ListTransactionsAsync_NoFilter_NewestFirstAsTheProgramSeesThem()
    {
        var listed = await ListAsync(Filter());

        Assert.Equal([6L, 5L, 4L, 3L, 2L, 1L], listed.Select(t => t.Sequence));
        Assert.Equal(_ids.AsEnumerable().Reverse(), listed.Select(t => t.TransactionId));
        Assert.Equal([30L, 200L, -102L, 50L, -200L, 1_000L], listed.Select(t => t.Points));
        Assert.Equal(_times.AsEnumerable().Reverse(), listed.Select(t => t.CreatedAt));
        var conversion = listed[2];
        Assert.Equal(TransactionKind.Conversion, conversion.Kind);
        Assert.Equal(Hotel, conversion.CounterpartyProgramCode);
        Assert.Equal(2, conversion.FeePoints);
        Assert.Equal(1, conversion.RateVersion);
        var reversal = listed[1];
        Assert.Equal(TransactionKind.Reversal, reversal.Kind);
        Assert.Equal(_ids[1], reversal.ReversedTransactionId);
        Assert.Equal("lounge-cancelled", reversal.Reference);
    }

    [Fact]
    public async Task ListTransactionsAsync_BeforeSequenceCursor_PagesWithoutGapsOrOverlap()
    {
        var pages = new List<List<long>>();
        long? cursor = null;
        do
        {
            var page = await ListAsync(Filter() with { BeforeSequence = cursor, Limit = 4 });
            pages.Add(page.Select(t => t.Sequence).ToList());
            cursor = page.Count == 4 ? page[^1].Sequence : null;
        }
        while (cursor is not null);

        Assert.Equal([[6L, 5L, 4L, 3L], [2L, 1L]], pages);
        Assert.Equal([4L, 3L], (await ListAsync(Filter() with { BeforeSequence = 5, Limit = 2 })).Select(t => t.Sequence));
        Assert.Empty(await ListAsync(Filter() with { BeforeSequence = 1 }));
    }

    [Theory]
    [InlineData(new[] { TransactionKind.Accrual }, new long[] { 6, 3, 1 })]
    [InlineData(new[] { TransactionKind.Redemption, TransactionKind.Reversal }, new long[] { 5, 2 })]
    [InlineData(new[] { TransactionKind.Conversion }, new long[] { 4 })]
    [InlineData(new[] { TransactionKind.Expiry }, new long[0])]
    public async Task ListTransactionsAsync_KindsFilter_OnlyThoseKinds(TransactionKind[] kinds, long[] expected)
    {
        var listed = await ListAsync(Filter() with { Kinds = kinds });

        Assert.Equal(expected, listed.Select(t => t.Sequence));
    }

    [Fact]
    public async Task ListTransactionsAsync_TimeWindow_StartInclusiveEndExclusive()
    {
        var listed = await ListAsync(Filter() with { StartAt = _times[1], EndBefore = _times[4] });

        Assert.Equal([4L, 3L, 2L], listed.Select(t => t.Sequence));
    }

    [Fact]
    public async Task ListTransactionsAsync_TimeWindowBetweenTransactions_Empty()
    {
        Assert.Empty(await ListAsync(Filter() with { StartAt = _times[2].AddMinutes(1), EndBefore = _times[3] }));
    }

    [Fact]
    public async Task ListTransactionsAsync_KindsTimeAndCursorTogether_AllApply()
    {
        var listed = await ListAsync(Filter() with { Kinds = [TransactionKind.Accrual], StartAt = _times[1], BeforeSequence = 6 });

        Assert.Equal([3L], listed.Select(t => t.Sequence));
    }

    [Fact]
    public async Task ListTransactionsAsync_MemberFilter_OnlyThatMember()
    {
        var listed = await ListAsync(Filter() with { MemberNumber = "m2" });

        var only = Assert.Single(listed);
        Assert.Equal(3, only.Sequence);
        Assert.Equal("m2", only.MemberNumber);
    }

    [Fact]
    public async Task ListTransactionsAsync_DestinationProgram_SeesTheConversionFromItsSide()
    {
        var listed = await ListAsync(Filter() with { ProgramCode = Hotel });

        var conversion = Assert.Single(listed);
        Assert.Equal(_ids[3], conversion.TransactionId);
        Assert.Equal(Hotel, conversion.ProgramCode);
        Assert.Equal("h1", conversion.MemberNumber);
        Assert.Equal(80, conversion.Points);
        Assert.Equal(Air, conversion.CounterpartyProgramCode);
        // The fee and the reference are the source partner's; the destination sees neither.
        Assert.Equal(0, conversion.FeePoints);
        Assert.Equal("", conversion.Reference);
    }

    [Fact]
    public async Task ListTransactionsAsync_ClockBetweenMicroseconds_ShowsTheTimeTheWriteAnswered()
    {
        Ledger.Clock.Advance(TimeSpan.FromTicks(7));
        TransactionView? answered = null;
        await Ledger.Writer.WriteAsync(Scope(Air, "odd-time"), Ledger.AccrueCommand(Air, "m2", 1), outcome =>
        {
            answered = outcome.Value.Transaction;
            return Responses.Encode(outcome);
        }, default);

        var listed = await ListAsync(Filter() with { Limit = 1 });

        Assert.NotNull(answered);
        Assert.Equal(answered.CreatedAt, Assert.Single(listed).CreatedAt);
    }

    private Task<IReadOnlyList<TransactionView>> ListAsync(TransactionFilter filter) =>
        Ledger.Queries.ListTransactionsAsync(filter, default);

    private static TransactionFilter Filter() => new(Air, null, [], null, null, null, 50);

    /// <summary>Moves the clock an hour, then runs one transaction and records its time and id.</summary>
    private async Task StepAsync(Func<Task<StoredResponse>> write)
    {
        Ledger.Clock.Advance(TimeSpan.FromHours(1));
        _times.Add(Ledger.Clock.GetUtcNow());
        var response = await write();
        Assert.Equal(_ids.Count + 1, Responses.SequenceOf(response));
        _ids.Add(Responses.TransactionIdOf(response));
    }
}
