using PartnerExchange.Domain.Rates;
using PartnerExchange.Ledger.Commands;
using PartnerExchange.Ledger.Reading;
using PartnerExchange.Ledger.Settlement;
using PartnerExchange.Ledger.Tests.Infrastructure;
using PartnerExchange.Ledger.Writing;
using static PartnerExchange.Ledger.Tests.Infrastructure.LedgerHarness;

namespace PartnerExchange.Ledger.Tests.Settlement;

/// <summary>
/// Closing a period from a read snapshot, and period membership under a clock that steps back: every
/// obligation lands in exactly one statement, whatever committed meanwhile and whatever the clock said.
/// </summary>
public sealed class ClosePeriodTests : LedgerTest
{
    private PeriodSnapshots Snapshots => new(Ledger.Database);

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await Ledger.CreateShopToAirAsync(shopMemberPoints: 100_000);
    }

    [Fact]
    public async Task ReadAsync_WhileTheWriterIsHeld_Completes()
    {
        var start = Ledger.Clock.GetUtcNow();
        var converted = Responses.SequenceOf(await ConvertAsync(100));
        Ledger.Clock.Advance(TimeSpan.FromMinutes(1));
        var gate = new WriterGate();
        var held = Ledger.Hold(gate);
        await gate.Entered;

        // Reading and hashing the period takes no turn of the writer: it completes while another request holds it.
        var snapshot = await Snapshots.ReadAsync(start, Ledger.Clock.GetUtcNow(), 0, default);
        gate.Release();
        await held;

        Assert.Equal([converted], snapshot.Obligations.Select(o => o.Line.Sequence));
        await CloseAsync(start, snapshot.Bounds, snapshot);
        Assert.Equal([converted], await LinesOfPeriodAsync(start));
    }

    [Fact]
    public async Task ClosePeriod_WithSnapshot_StoresTheStatementsAndHashOfClosingWithout()
    {
        var start = Ledger.Clock.GetUtcNow();
        await ConvertAsync(100);
        var undone = await ConvertAsync(250);
        await Ledger.AcceptedAsync(Shop, new Reverse(Shop, Responses.TransactionIdOf(undone), "undo"));
        Ledger.Clock.Advance(TimeSpan.FromMinutes(1));
        var end = Ledger.Clock.GetUtcNow();
        var snapshot = await Snapshots.ReadAsync(start, end, 25, default);

        await Ledger.AcceptedAsync(IdempotencyScope.OperatorPrincipal, new ClosePeriod(start, end, 25));

        var stored = await Ledger.QueryAsync("SELECT content_hash FROM settlement_periods", r => r.GetString(0));
        Assert.Equal(snapshot.Draft!.Value.Value.ContentHash, Assert.Single(stored));
        Assert.Equal(3, snapshot.Obligations.Count);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(60)]
    public async Task ClosePeriod_OfAnyNumberOfObligations_WritesTheSameRows(int conversions)
    {
        // The writer's share of closing is a row per period and statement, never one per obligation, so a period of any
        // size holds the single writer for as long as a small one.
        await ConvertAsync(100);
        Ledger.Clock.Advance(TimeSpan.FromMinutes(1));
        var smallStart = Ledger.Clock.GetUtcNow();
        await ConvertAsync(100);
        Ledger.Clock.Advance(TimeSpan.FromMinutes(1));
        var largeStart = Ledger.Clock.GetUtcNow();
        for (var i = 0; i < conversions; i++)
        {
            await ConvertAsync(100);
        }
        Ledger.Clock.Advance(TimeSpan.FromMinutes(1));

        var small = await RowsWrittenByCloseAsync(smallStart, largeStart);
        var large = await RowsWrittenByCloseAsync(largeStart, Ledger.Clock.GetUtcNow());

        Assert.Equal(small, large);
        Assert.Equal(conversions, (await LinesOfPeriodAsync(largeStart)).Count);
        await AssertVerifiedAsync();
    }

    [Fact]
    public async Task ClosePeriod_ConversionCommittedInThePeriodAfterTheSnapshot_IsInItsStatement()
    {
        var start = Ledger.Clock.GetUtcNow();
        var first = Responses.SequenceOf(await ConvertAsync(100));
        Ledger.Clock.Advance(TimeSpan.FromMinutes(1));
        var end = Ledger.Clock.GetUtcNow();
        var snapshot = await Snapshots.ReadAsync(start, end, 0, default);
        // The clock steps back into the period before it is closed: this conversion belongs to it.
        Ledger.Clock.AdjustTime(start.AddSeconds(30));
        var late = Responses.SequenceOf(await ConvertAsync(200));
        Ledger.Clock.AdjustTime(end.AddMinutes(1));

        await CloseAsync(start, snapshot.Bounds, snapshot);

        Assert.Equal([first, late], await LinesOfPeriodAsync(start));
        await AssertVerifiedAsync();
    }

    [Fact]
    public async Task Convert_ClockSteppedBackIntoAClosedPeriod_IsOwedInTheNextPeriod()
    {
        var start = Ledger.Clock.GetUtcNow();
        var first = await ConvertAsync(100);
        Ledger.Clock.Advance(TimeSpan.FromMinutes(1));
        var end = Ledger.Clock.GetUtcNow();
        await Ledger.AcceptedAsync(IdempotencyScope.OperatorPrincipal, new ClosePeriod(start, end, 0));

        Ledger.Clock.AdjustTime(start.AddSeconds(30));
        var late = Responses.SequenceOf(await ConvertAsync(200));
        var reversal = Responses.SequenceOf(await Ledger.AcceptedAsync(Shop, new Reverse(Shop, Responses.TransactionIdOf(first), "undo")));

        await AssertVerifiedAsync();
        Ledger.Clock.AdjustTime(end.AddMinutes(5));
        await Ledger.AcceptedAsync(IdempotencyScope.OperatorPrincipal, new ClosePeriod(end, Ledger.Clock.GetUtcNow(), 0));
        Assert.Equal([late, reversal], await LinesOfPeriodAsync(end));
        await AssertVerifiedAsync();
    }

    [Fact]
    public async Task Convert_OpenObligationsPastWhatAPeriodCanTotal_IsBalanceOverflowAndThePeriodStillCloses()
    {
        // 4 × 10^9 points at USD 1,000 a point: USD 4 × 10^12 (4 × 10^18 micros) each, so three would pass int64.
        const string Vault = "VAULT";
        await Ledger.CreatePartnerAsync(Vault, pointPriceMicros: 1_000_000_000);
        await Ledger.SetRateAsync(Shop, Vault, new ExchangeRateTerms(1, 1, 1, 10_000_000_000, 1, 0, 0, null, null));
        await Ledger.EnrollAsync(Vault, "v1");
        await Ledger.AccrueAsync(Shop, "s1", 20_000_000_000);
        var start = Ledger.Clock.GetUtcNow();
        ConvertPoints Big() => new(Shop, "s1", Vault, "v1", 4_000_000_000, null, "big");
        await Ledger.AcceptedAsync(Shop, Big());

        var refused = await Ledger.ResponseAsync(Shop, Big());

        Assert.Equal(Domain.ErrorReason.BalanceOverflow, Responses.ReasonOf(refused));
        Ledger.Clock.Advance(TimeSpan.FromMinutes(1));
        await Ledger.AcceptedAsync(IdempotencyScope.OperatorPrincipal, new ClosePeriod(start, Ledger.Clock.GetUtcNow(), 25));
        // The closed period made room again.
        await Ledger.AcceptedAsync(Shop, Big());
        await AssertVerifiedAsync();
    }

    private Task<StoredResponse> ConvertAsync(long points) =>
        Ledger.AcceptedAsync(Shop, new ConvertPoints(Shop, "s1", Air, "a1", points, null, "convert"));

    private Task<StoredResponse> CloseAsync(DateTimeOffset start, Domain.Settlement.PeriodBounds bounds, PeriodSnapshot snapshot) =>
        Ledger.AcceptedAsync(IdempotencyScope.OperatorPrincipal,
            new ClosePeriod(start, Time.FromMicros(bounds.EndMicros), snapshot.NetworkFeeBasisPoints) { Snapshot = snapshot });

    private async Task<long> RowsWrittenByCloseAsync(DateTimeOffset start, DateTimeOffset end)
    {
        var before = await RowCountAsync();
        await Ledger.AcceptedAsync(IdempotencyScope.OperatorPrincipal, new ClosePeriod(start, end, 0));
        return await RowCountAsync() - before;
    }

    private async Task<long> RowCountAsync()
    {
        var tables = await Ledger.QueryAsync("SELECT name FROM sqlite_master WHERE type = 'table'", r => r.GetString(0));
        var count = 0L;
        foreach (var table in tables)
        {
            count += (await Ledger.QueryAsync($"SELECT COUNT(*) FROM \"{table}\"", r => r.GetInt64(0))).Single();
        }
        return count;
    }

    // As readers see them: each statement's lines, read the way ExportStatementLines and reconciliation read them.
    private async Task<List<long>> LinesOfPeriodAsync(DateTimeOffset start)
    {
        var queries = new SettlementQueries(Ledger.Database);
        var periodId = Assert.Single(await Ledger.QueryAsync(
            $"SELECT period_id FROM settlement_periods WHERE start_micros = {start.ToUnixMicros()}", r => r.GetString(0)));
        var lines = new List<long>();
        foreach (var statement in (await queries.ListStatementsAsync(periodId, null, default))!)
        {
            lines.AddRange((await queries.ReadObligationLinesAsync(statement.StatementId, default)).Select(l => l.Sequence));
        }
        lines.Sort();
        return lines;
    }

    private async Task AssertVerifiedAsync()
    {
        var verification = await new LedgerAudit(Ledger.Database).VerifyAsync(default);
        Assert.True(verification.Ok, string.Join('\n', verification.Findings));
    }
}
