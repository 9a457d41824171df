using System.Net;
using System.Net.Sockets;
using System.Text;
using Google.Protobuf;
using Grpc.Health.V1;
using PartnerExchange.Testing;
using PartnerExchange.V1;
using StackExchange.Redis;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;
using PartnerExchange.Server.Tests.RateLimiting;

namespace PartnerExchange.Server.Tests.Redis;

/// <summary>
/// Redis going away, hanging, coming back and being flushed while the exchange runs. Each test owns its
/// redis-server and its exchange (reads limited to 20 per second, burst 10), so stopping one harms no other
/// test. Without Redis the exchange keeps serving: the ledger guards exactly-once, the local limiter
/// holds the limits, and health reports Redis, not the exchange, as down.
/// </summary>
public sealed class RedisFaultTests : IAsyncLifetime, IDisposable
{
    private const string KeyPrefix = "fault";
    private const string RedisService = "partnerexchange.v1.Redis";
    private static readonly TimeSpan RecoveryTimeout = TimeSpan.FromSeconds(30);

    private readonly RedisServer _redis = new();
    private readonly RunningExchange _exchange = new();
    private ServerErrorGuard _errors = null!;

    public RedisFaultTests()
    {
        _exchange.Settings["Redis:Configuration"] = _redis.Configuration;
        _exchange.Settings["Redis:KeyPrefix"] = KeyPrefix;
        LowLimitExchange.Reads.Apply(_exchange.Settings, new Quota(200, 400));
        // The shortest lease, so a stream's lease is renewed every second.
        _exchange.Settings["Events:StreamLease"] = "00:00:03";
    }

    public async Task InitializeAsync()
    {
        await _exchange.InitializeAsync();
        _errors = new ServerErrorGuard(_exchange, ServerErrorGuard.IsRedisUnhealthy);
    }

    public async Task DisposeAsync()
    {
        try
        {
            await _errors.AssertNoneAsync();
        }
        finally
        {
            // Redis first: an exchange closing its connection to a hung Redis would wait for it.
            _redis.Dispose();
            await _exchange.DisposeAsync();
        }
    }

    public void Dispose() => _redis.Dispose();

    [Fact]
    public async Task Accrue_SameKeyTwiceWhileRedisIsDown_PostsOnce()
    {
        var (shop, member) = await PartnerWithMemberAsync();
        _redis.Stop();
        var request = Accrual(member, 100);

        var first = await shop.Points.AccrueAsync(request);
        var again = await shop.Points.AccrueAsync(request);

        Assert.Equal(first.Transaction.TransactionId, again.Transaction.TransactionId);
        Assert.Single((await shop.Points.ListTransactionsAsync(new ListTransactionsRequest { MemberNumber = member })).Transactions);
        Assert.Equal(100, await shop.BalanceAsync(member));
    }

    [Fact]
    public async Task GetAccount_DrivenFarOverQuotaWhileRedisIsDown_LocalLimiterAdmitsAtMostRateTimesElapsedPlusBurst()
    {
        var (shop, member) = await PartnerWithMemberAsync();
        var points = shop.Points;
        _redis.Stop();

        var run = await Drive.ForAsync(TimeSpan.FromSeconds(2), loops: 8,
            () => points.GetAccountAsync(new GetAccountRequest { MemberNumber = member }).ResponseAsync);

        Assert.True(run.Refused > 0, $"Nothing was refused in {run}: the limit is not enforced without Redis.");
        run.AssertWithinQuota(LowLimitExchange.Reads);
    }

    [Fact]
    public async Task GetAccount_WhileRedisHangsPastTheTimeout_IsAnsweredBeforeRedisResumes()
    {
        var (shop, member) = await PartnerWithMemberAsync();
        // Redis keeps its connections open and answers nothing for a minute: "slow", not "down".
        PauseRedis(TimeSpan.FromMinutes(1));

        // The deadline is far above the 250 ms Redis timeout and far below the pause.
        var account = await shop.Points.GetAccountAsync(new GetAccountRequest { MemberNumber = member },
            deadline: DateTime.UtcNow.AddSeconds(15));

        Assert.Equal(0, account.BalancePoints);
    }

    [Fact]
    public async Task StreamEvents_WhileRedisIsDown_CapIsCountedOnThisServer()
    {
        var (shop, member) = await PartnerWithMemberAsync();
        await shop.AccrueAsync(member, 1);
        _redis.Stop();
        var open = new List<Grpc.Core.AsyncServerStreamingCall<StreamEventsResponse>>();
        try
        {
            // The default cap, 4 streams: each admitted one delivers the program's first event.
            for (var i = 0; i < 4; i++)
            {
                var stream = OpenStream(shop.Key);
                open.Add(stream);
                Assert.True(await stream.ResponseStream.MoveNext(CancellationToken.None));
            }
            using var fifth = OpenStream(shop.Key);

            await RpcAssert.FailsAsync(Grpc.Core.StatusCode.ResourceExhausted, "TOO_MANY_STREAMS", () => fifth.ResponseStream.MoveNext(CancellationToken.None));
        }
        finally
        {
            open.ForEach(stream => stream.Dispose());
        }
    }

    [Fact]
    public async Task StreamEvents_AdmittedWhileRedisWasDown_JoinsThePartnersPoolOnceRedisReturns()
    {
        var (shop, member) = await PartnerWithMemberAsync();
        await shop.AccrueAsync(member, 1);
        _redis.Stop();
        using var stream = OpenStream(shop.Key);
        Assert.True(await stream.ResponseStream.MoveNext(CancellationToken.None));

        _redis.Start();

        // A renewal after Redis is back puts the stream's lease in the pool, where every server counts it.
        await using var connection = await AdminConnectionAsync();
        var pool = $"{KeyPrefix}:{{{shop.ProgramCode}}}:streams:partner";
        var deadline = DateTime.UtcNow + RecoveryTimeout;
        while (await connection.GetDatabase().SortedSetLengthAsync(pool) == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }
        Assert.Equal(1, await connection.GetDatabase().SortedSetLengthAsync(pool));
    }

    [Fact]
    public async Task HealthCheck_WhileRedisIsDown_ReportsRedisNotServing()
    {
        _redis.Stop();

        var status = await WaitForHealthAsync(RedisService, ServingStatus.NotServing);

        Assert.Equal(ServingStatus.NotServing, status);
    }

    [Fact]
    public async Task HealthCheck_WhileRedisIsDown_ReportsExchangeServing()
    {
        _redis.Stop();
        await WaitForHealthAsync(RedisService, ServingStatus.NotServing);

        var exchange = await new Health.HealthClient(_exchange.Channel).CheckAsync(new HealthCheckRequest { Service = "" });

        Assert.Equal(ServingStatus.Serving, exchange.Status);
    }

    [Fact]
    public async Task HealthCheck_RedisStartedAgain_ReportsRedisServingWithoutRestart()
    {
        _redis.Stop();
        await WaitForHealthAsync(RedisService, ServingStatus.NotServing);

        _redis.Start();

        Assert.Equal(ServingStatus.Serving, await WaitForHealthAsync(RedisService, ServingStatus.Serving));
    }

    [Fact]
    public async Task GetAccount_RedisStartedAgain_KeepsItsBucketInRedisAgain()
    {
        var (shop, member) = await PartnerWithMemberAsync();
        _redis.Stop();
        await shop.Points.GetAccountAsync(new GetAccountRequest { MemberNumber = member });
        _redis.Start();
        await WaitForHealthAsync(RedisService, ServingStatus.Serving);

        await shop.Points.GetAccountAsync(new GetAccountRequest { MemberNumber = member });

        // The restarted server is empty (no persistence), so the bucket can only come from this call.
        await using var admin = await AdminConnectionAsync();
        var ttl = await admin.GetDatabase().KeyTimeToLiveAsync($"{KeyPrefix}:{{{shop.ProgramCode}}}:rl:reads");
        Assert.NotNull(ttl);
    }

    [Fact]
    public async Task Accrue_ReplayAfterFlushAll_ReturnsOriginalResponse()
    {
        var (shop, member) = await PartnerWithMemberAsync();
        var request = Accrual(member, 100);
        var first = await shop.Points.AccrueAsync(request);
        await shop.AccrueAsync(member, 5);
        await FlushAllAsync();

        var replay = await shop.Points.AccrueAsync(request);

        Assert.Equal(first.ToByteArray(), replay.ToByteArray());
    }

    [Fact]
    public async Task Accrue_ReplayAfterFlushAll_PostsNothingNew()
    {
        var (shop, member) = await PartnerWithMemberAsync();
        var request = Accrual(member, 100);
        await shop.Points.AccrueAsync(request);
        await FlushAllAsync();

        await shop.Points.AccrueAsync(request);

        Assert.Single((await shop.Points.ListTransactionsAsync(new ListTransactionsRequest { MemberNumber = member })).Transactions);
        Assert.Equal(100, await shop.BalanceAsync(member));
    }

    /// <summary>An event stream of the key's program from its first event.</summary>
    private Grpc.Core.AsyncServerStreamingCall<StreamEventsResponse> OpenStream(string key) =>
        new EventsService.EventsServiceClient(_exchange.Channel).StreamEvents(new StreamEventsRequest { AfterCursor = 0 }, RunningExchange.Bearer(key));

    private async Task<(TestPartner Partner, string Member)> PartnerWithMemberAsync()
    {
        var partner = await _exchange.CreatePartnerAsync();
        return (partner, await partner.EnrollAsync());
    }

    /// <summary>Asks the health service until it reports <paramref name="expected"/> or the recovery timeout passes.</summary>
    private async Task<ServingStatus> WaitForHealthAsync(string service, ServingStatus expected)
    {
        var health = new Health.HealthClient(_exchange.Channel);
        var deadline = DateTime.UtcNow + RecoveryTimeout;
        while (true)
        {
            var status = (await health.CheckAsync(new HealthCheckRequest { Service = service })).Status;
            if (status == expected || DateTime.UtcNow > deadline)
            {
                return status;
            }
            await Task.Delay(50);
        }
    }

    /// <summary>
    /// CLIENT PAUSE over a plain socket: a multiplexer would hang on closing, since Redis would not answer its QUIT.
    /// </summary>
    private void PauseRedis(TimeSpan duration)
    {
        using var client = new TcpClient();
        client.Connect(IPAddress.Loopback, _redis.Port);
        using var stream = client.GetStream();
        stream.Write(Encoding.ASCII.GetBytes(FormattableString.Invariant($"CLIENT PAUSE {(long)duration.TotalMilliseconds} ALL\r\n")));
        var reply = new byte[64];
        var read = stream.Read(reply);
        Assert.Equal("+OK", Encoding.ASCII.GetString(reply, 0, read).TrimEnd());
    }

    private Task<ConnectionMultiplexer> AdminConnectionAsync() =>
        ConnectionMultiplexer.ConnectAsync(_redis.Configuration + ",allowAdmin=true");

    private async Task FlushAllAsync()
    {
        await using var admin = await AdminConnectionAsync();
        await admin.GetServer(_redis.Configuration).FlushAllDatabasesAsync();
    }

    private static AccrueRequest Accrual(string member, long points) => new()
    {
        IdempotencyKey = Guid.NewGuid().ToString("N"),
        MemberNumber = member,
        Points = points,
        Reason = AccrualReason.Promotion,
    };
}
