using System.Globalization;
using Grpc.Core;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;
using PartnerExchange.Testing;
using PartnerExchange.V1;

namespace PartnerExchange.Server.Tests.Events;

/// <summary>A server on a fake clock that keeps events for a day, pruning them hourly three at a time.</summary>
public sealed class RetentionExchange : IAsyncLifetime
{
    public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 5, 1, 0, 0, 0, TimeSpan.Zero));

    public RunningExchange Exchange { get; } = new();

    public Task InitializeAsync()
    {
        Exchange.Clock = Clock;
        Exchange.Settings["Expiry:JobEnabled"] = "false";
        Exchange.Settings["Events:Retention"] = "1.00:00:00";
        Exchange.Settings["Events:PruneInterval"] = "01:00:00";
        // Small batches, so a run takes several and a conversion's two events can fall in different ones.
        Exchange.Settings["Events:PruneBatchSize"] = "3";
        // One event per read, so a stream held back by a consumer that does not read stops between reads.
        Exchange.Settings["Events:ReadBatchSize"] = "1";
        Exchange.Settings["RateLimits:Writes:RequestsPerSecond"] = "1000000";
        Exchange.Settings["RateLimits:Writes:Burst"] = "1000000";
        return Exchange.InitializeAsync();
    }

    public Task DisposeAsync() => Exchange.DisposeAsync();
}

/// <summary>Event retention over the real server: old events go, streams that needed them are told, the ledger stays whole.</summary>
public sealed class EventRetentionTests(RetentionExchange fixture) : IntegrationTest(fixture.Exchange), IClassFixture<RetentionExchange>
{
    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        // The audit leaves out the transactions whose events were pruned, and checks every other one has its events.
        LedgerInvariants.AssertHold(Exchange.DatabasePath);
    }

    [Fact]
    public async Task StreamEvents_AfterRetentionRemovedTheProgramsEvents_FromTheStartFailsCursorExpired()
    {
        var (shop, member) = await ShopWithEventsAsync();
        var newest = await NewestCursorAsync(shop.ProgramCode);

        await PassRetentionAsync(shop.ProgramCode);

        var error = await RpcAssert.FailsAsync(StatusCode.OutOfRange, "CURSOR_EXPIRED",
            () => EventConsumer.FirstItemAsync(Exchange, shop.Key, new StreamEventsRequest { AfterCursor = 0 }));
        Assert.Equal(newest.ToString(CultureInfo.InvariantCulture), RpcAssert.InfoOf(error)!.Metadata["pruned_through_cursor"]);
        // The ledger keeps what the events reported.
        Assert.Equal(400, await shop.BalanceAsync(member));
    }

    [Fact]
    public async Task StreamEvents_AfterThePrunedCursor_DeliversLaterEvents()
    {
        var (shop, member) = await ShopWithEventsAsync();
        var newest = await NewestCursorAsync(shop.ProgramCode);
        await PassRetentionAsync(shop.ProgramCode);
        var later = await shop.AccrueAsync(member, 5);

        using var stream = EventConsumer.Open(Exchange, shop.Key, new StreamEventsRequest { AfterCursor = newest });
        var next = await stream.NextEventAsync();

        Assert.Equal(later.Transaction.TransactionId, next.TransactionId);
    }

    [Fact]
    public async Task StreamEvents_FallingBehindRetentionWhileOpen_EndsWithCursorExpired()
    {
        var shop = await Exchange.CreatePartnerAsync();
        var member = await shop.EnrollAsync();
        // More events than HTTP/2 flow control lets the server send ahead of a consumer that does not read.
        const int Events = 3_000;
        await Parallel.ForAsync(0, Events, new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (_, _) => await shop.AccrueAsync(member, 1));
        using var stream = EventConsumer.Open(Exchange, shop.Key, new StreamEventsRequest { AfterCursor = 0 });
        await stream.AdmittedAsync();

        await PassRetentionAsync(shop.ProgramCode);
        var delivered = 0;
        var error = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            while (true)
            {
                await stream.NextEventAsync();
                delivered++;
            }
        });

        Assert.Equal((StatusCode.OutOfRange, "CURSOR_EXPIRED"), (error.StatusCode, RpcAssert.ReasonOf(error)));
        Assert.InRange(delivered, 1, Events - 1);
    }

    [Fact]
    public async Task StreamEvents_FromNowAfterEveryEventWasPruned_DeliversTheNextEvent()
    {
        var (shop, member) = await ShopWithEventsAsync();
        await PassRetentionAsync(shop.ProgramCode);

        using var stream = EventConsumer.Open(Exchange, shop.Key, new StreamEventsRequest { FromNow = true });
        await stream.AdmittedAsync();
        var later = await shop.AccrueAsync(member, 5);
        var next = await stream.NextEventAsync();

        Assert.Equal(later.Transaction.TransactionId, next.TransactionId);
    }

    [Fact]
    public async Task StreamEvents_ProgramWithNothingPruned_StreamsFromTheStart()
    {
        await PassRetentionAsync((await ShopWithEventsAsync()).Shop.ProgramCode);
        // A program whose events all came after the pruning lost none, whatever other programs lost.
        var quiet = await Exchange.CreatePartnerAsync();
        var member = await quiet.EnrollAsync();
        var accrued = await quiet.AccrueAsync(member, 7);

        using var stream = EventConsumer.Open(Exchange, quiet.Key, new StreamEventsRequest { AfterCursor = 0 });
        var first = await stream.NextEventAsync();

        Assert.Equal(accrued.Transaction.TransactionId, first.TransactionId);
    }

    [Fact]
    public async Task VerifyLedger_AfterPruning_FindsEveryOtherTransactionWithItsEvents()
    {
        await PassRetentionAsync((await ShopWithEventsAsync()).Shop.ProgramCode);
        await ShopWithEventsAsync();
        var settlement = new SettlementService.SettlementServiceClient(Exchange.Channel);

        var verified = await settlement.VerifyLedgerAsync(new VerifyLedgerRequest(), RunningExchange.Bearer(Exchange.OperatorKey));

        Assert.Contains("events_match_postings", verified.Checks);
        Assert.Empty(verified.Findings);
    }

    private async Task<(TestPartner Shop, string Member)> ShopWithEventsAsync()
    {
        var shop = await Exchange.CreatePartnerAsync();
        var air = await Exchange.CreatePartnerAsync();
        await Exchange.SetRateAsync(shop.ProgramCode, air.ProgramCode, 1, 1);
        var member = await shop.EnrollAsync();
        var flyer = await air.EnrollAsync();
        await shop.AccrueAsync(member, 500);
        await shop.Conversions.ConvertAsync(new ConvertRequest
        {
            IdempotencyKey = Guid.NewGuid().ToString("N"), SourceMemberNumber = member, DestinationProgramCode = air.ProgramCode,
            DestinationMemberNumber = flyer, SourcePoints = 100,
        });
        return (shop, member);
    }

    /// <summary>
    /// Moves the clock two days on and waits for the hourly job to have removed every event of the program. A run
    /// stops after its most batches, so while events remain the clock moves on an hour to start the next run.
    /// </summary>
    private async Task PassRetentionAsync(string programCode)
    {
        fixture.Clock.Advance(TimeSpan.FromDays(2));
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (await CountAsync("SELECT COUNT(*) FROM events WHERE program_code = $program", programCode) > 0)
        {
            await Task.Delay(100, deadline.Token);
            fixture.Clock.Advance(TimeSpan.FromHours(1));
        }
    }

    private Task<long> NewestCursorAsync(string programCode) =>
        CountAsync("SELECT MAX(cursor) FROM events WHERE program_code = $program", programCode);

    private async Task<long> CountAsync(string sql, string programCode)
    {
        await using var ledger = new SqliteConnection($"Data Source={Exchange.DatabasePath};Mode=ReadOnly;Pooling=False");
        await ledger.OpenAsync();
        await using var command = ledger.CreateCommand();
        command.CommandText = sql;
        command.Parameters.AddWithValue("$program", programCode);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
