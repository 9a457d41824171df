using Grpc.Core;
using PartnerExchange.Server.Tests.Events;
using PartnerExchange.Testing;
using PartnerExchange.V1;

namespace PartnerExchange.Server.Tests.Hosting;

/// <summary>
/// Two exchange servers on one PostgreSQL ledger (PX_POSTGRES) and one Redis, as behind a load balancer: a client
/// may send any call to either, and correctness comes from the database, not from being alone.
/// </summary>
public sealed class PostgresTwoServerTests : IAsyncLifetime
{
    private readonly RunningExchange _first = new();
    private readonly RunningExchange _second;
    private string _database = "";

    public PostgresTwoServerTests() => _second = new RunningExchange { OperatorKey = _first.OperatorKey };

    public async Task InitializeAsync()
    {
        _database = await PostgresServer.Shared.CreateDatabaseAsync();
        var prefix = "t" + Guid.NewGuid().ToString("N")[..8];
        foreach (var server in new[] { _first, _second })
        {
            server.Settings["Ledger:Postgres"] = _database;
            server.Settings["Redis:KeyPrefix"] = prefix;
            foreach (var limit in new[] { "Writes", "Reads" })
            {
                server.Settings[$"RateLimits:{limit}:RequestsPerSecond"] = "1000000";
                server.Settings[$"RateLimits:{limit}:Burst"] = "1000000";
            }
        }
        // Together, as servers behind a load balancer start: the migration lock lets one migrate, the other wait.
        await Task.WhenAll(_first.InitializeAsync(), _second.InitializeAsync());
    }

    public async Task DisposeAsync()
    {
        await _second.DisposeAsync();
        await _first.DisposeAsync();
        await PostgresServer.Shared.DropDatabaseAsync(_database);
        Assert.Empty(_first.ErrorLogs);
        Assert.Empty(_second.ErrorLogs);
    }

    [Fact]
    public async Task Accrue_OnOneServer_IsReadOnTheOther()
    {
        var shop = await _first.CreatePartnerAsync();
        var member = await shop.EnrollAsync();

        await shop.AccrueAsync(member, 250);
        await shop.AccrueAsync(member, 50);

        var account = await _second.Points(shop.Key).GetAccountAsync(new GetAccountRequest { MemberNumber = member });
        Assert.Equal(300, account.BalancePoints);
    }

    [Fact]
    public async Task SameIdempotencyKey_SentToBothServersAtOnce_HasOneEffect()
    {
        var shop = await _first.CreatePartnerAsync();
        var member = await shop.EnrollAsync();
        const int Requests = 20;

        for (var i = 0; i < Requests; i++)
        {
            var request = new AccrueRequest
            {
                IdempotencyKey = Guid.NewGuid().ToString("N"), MemberNumber = member, Points = 10, Reason = AccrualReason.Promotion,
            };
            var answers = await Task.WhenAll(AnswerAsync(_first.Points(shop.Key).AccrueAsync(request)), AnswerAsync(_second.Points(shop.Key).AccrueAsync(request)));
            // Each is the one transaction's answer, or "still running" while the other server holds the key.
            var transactions = answers.OfType<AccrueResponse>().Select(a => a.Transaction.TransactionId).Distinct().ToList();
            Assert.Single(transactions);
            Assert.All(answers.OfType<RpcException>(), e => Assert.Equal("REQUEST_IN_PROGRESS", RpcAssert.ReasonOf(e)));
        }

        Assert.Equal(Requests * 10, await shop.BalanceAsync(member));
    }

    [Fact]
    public async Task OneMember_RedeemingThroughBothServersAtOnce_NeverOverdraws()
    {
        var shop = await _first.CreatePartnerAsync();
        var member = await shop.EnrollAsync();
        await shop.AccrueAsync(member, 1_000);

        var redemptions = Enumerable.Range(0, 30).Select(i => AnswerAsync((i % 2 == 0 ? _first : _second).Points(shop.Key).RedeemAsync(new RedeemRequest
        {
            IdempotencyKey = Guid.NewGuid().ToString("N"), MemberNumber = member, Points = 100,
        })));
        var answers = await Task.WhenAll(redemptions);

        Assert.Equal(10, answers.OfType<RedeemResponse>().Count());
        Assert.All(answers.OfType<RpcException>(), e => Assert.Equal("INSUFFICIENT_POINTS", RpcAssert.ReasonOf(e)));
        Assert.Equal(0, await shop.BalanceAsync(member));
    }

    [Fact]
    public async Task EventStream_OnOneServer_CarriesBothServersCommitsInCommitOrderWithoutGaps()
    {
        var shop = await _first.CreatePartnerAsync();
        var member = await shop.EnrollAsync();
        const int Accruals = 24;

        for (var points = 1; points <= Accruals; points++)
        {
            var server = points % 2 == 0 ? _first : _second;
            await server.Points(shop.Key).AccrueAsync(new AccrueRequest
            {
                IdempotencyKey = Guid.NewGuid().ToString("N"), MemberNumber = member, Points = points, Reason = AccrualReason.Promotion,
            });
        }

        using var stream = EventConsumer.Open(_second, shop.Key, new StreamEventsRequest { AfterCursor = 0 });
        var accrued = new List<Event>();
        while (accrued.Count < Accruals)
        {
            var next = await stream.NextEventAsync();
            if (next.Kind == EventKind.PointsAccrued)
            {
                accrued.Add(next);
            }
        }
        Assert.Equal(Enumerable.Range(1, Accruals).Select(p => (long)p), accrued.Select(e => e.Points));
        Assert.Equal(accrued.Select(e => e.Cursor).Order(), accrued.Select(e => e.Cursor));
    }

    [Fact]
    public async Task ExpiryAndSettlement_OnPostgres_LeaveAVerifiedLedger()
    {
        var shop = await _first.CreatePartnerAsync();
        var hotel = await _first.CreatePartnerAsync();
        await _first.SetRateAsync(shop.ProgramCode, hotel.ProgramCode, 1, 1);
        var member = await shop.EnrollAsync();
        await hotel.EnrollAsync(member);
        await shop.AccrueAsync(member, 500);
        await _second.Conversions(shop.Key).ConvertAsync(ConversionRequests.Convert(member, hotel, member, 100));

        var preview = await _second.Admin().RunExpiryAsync(new RunExpiryRequest
        {
            IdempotencyKey = Guid.NewGuid().ToString("N"), AsOfTime = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddYears(5)),
            DryRun = true,
        });
        var verified = await SettlementClients.Operator(_first).VerifyLedgerAsync(new VerifyLedgerRequest());

        Assert.True(preview.DryRun);
        Assert.True(verified.Ok, string.Join("\n", verified.Findings.Select(f => $"{f.Check}: {f.Detail}")));
    }

    /// <summary>The call's answer, or the error it ended with.</summary>
    private static async Task<object> AnswerAsync<T>(AsyncUnaryCall<T> call)
    {
        try
        {
            return (await call)!;
        }
        catch (RpcException error)
        {
            return error;
        }
    }
}
