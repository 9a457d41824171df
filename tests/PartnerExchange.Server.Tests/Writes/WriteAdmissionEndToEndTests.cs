using Google.Rpc;
using Grpc.Core;
using PartnerExchange.Testing;
using PartnerExchange.V1;
using StackExchange.Redis;
using PartnerExchange.Server.Tests.RateLimiting;

namespace PartnerExchange.Server.Tests.Writes;

/// <summary>
/// A write's admission: the partner's writes bucket, the member's velocity and the idempotency claim in one
/// Redis round trip before the ledger, and the key marked completed after it by a command the write does not wait for. A refusal by
/// either bucket claims no key and records nothing; bad input still counts against the writes limit;
/// without Redis the local limiter holds the same limits. Each test owns its redis-server, so its command
/// counts are its own; writes are limited to 1 per second (burst 10) and each member to 1 per second
/// (burst 5), unless a test says otherwise.
/// </summary>
public sealed class WriteAdmissionEndToEndTests : IAsyncLifetime, IDisposable
{
    private const string KeyPrefix = "adm";

    private readonly RedisServer _redis = new();
    private readonly RunningExchange _exchange = new();
    private ConnectionMultiplexer _admin = null!;
    private ServerErrorGuard _errors = null!;

    public WriteAdmissionEndToEndTests()
    {
        _exchange.Settings["Redis:Configuration"] = _redis.Configuration;
        _exchange.Settings["Redis:KeyPrefix"] = KeyPrefix;
        // One write a second: a spent burst stays spent between two calls however slow the machine is.
        LowLimitExchange.Reads.Apply(_exchange.Settings, new Quota(1, 10));
        _exchange.Settings["RateLimits:MemberVelocity:RequestsPerSecond"] = "1";
        _exchange.Settings["RateLimits:MemberVelocity:Burst"] = "5";
        // On a loaded machine a Redis answer can take longer than the 250 ms default, and the exchange would
        // then go on without it (one round trip fewer): the counts here are about the design, not the load.
        _exchange.Settings["Redis:OperationTimeout"] = "00:00:03";
    }

    public async Task InitializeAsync()
    {
        await _exchange.InitializeAsync();
        _admin = await ConnectionMultiplexer.ConnectAsync(_redis.Configuration + ",allowAdmin=true");
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
            await _admin.DisposeAsync();
            _redis.Dispose();
            await _exchange.DisposeAsync();
        }
    }

    public void Dispose() => _redis.Dispose();

    [Fact]
    public async Task Accrue_Valid_CostsTwoRedisCommands()
    {
        var (shop, member) = await PartnerWithMemberAsync();
        // The first call of each script may also load it; count a later one. The write sends its completion without
        // waiting for it, so each count follows a read: Redis runs the exchange's commands in the order it sent them.
        await shop.AccrueAsync(member, 1);
        await shop.BalanceAsync(member);
        var before = await ScriptCallsAsync();

        await shop.AccrueAsync(member, 1);
        await shop.BalanceAsync(member);

        // The admission and the completion; the read's one.
        Assert.Equal(2 + 1, await ScriptCallsAsync() - before);
    }

    [Fact]
    public async Task Accrue_Invalid_CostsOneRedisRoundTrip()
    {
        var (shop, member) = await PartnerWithMemberAsync();
        // The accrual's completion goes without waiting; the read after it lands behind it, so none is counted below.
        await shop.AccrueAsync(member, 1);
        await shop.BalanceAsync(member);
        var before = await ScriptCallsAsync();

        await RpcAssert.InvalidAsync(() => shop.Points.AccrueAsync(Accrual("bad member!", Guid.NewGuid().ToString("N"))), "member_number");

        Assert.Equal(1, await ScriptCallsAsync() - before);
    }

    [Fact]
    public async Task GetAccount_CostsOneRedisRoundTrip()
    {
        var (shop, member) = await PartnerWithMemberAsync();
        await shop.BalanceAsync(member);
        var before = await ScriptCallsAsync();

        await shop.BalanceAsync(member);

        Assert.Equal(1, await ScriptCallsAsync() - before);
    }

    [Fact]
    public async Task Accrue_InvalidRequestsFarOverWritesQuota_RefusedAsRateLimitedWrites()
    {
        var (shop, _) = await PartnerWithMemberAsync();

        var error = await Drive.UntilRefusedAsync(() => InvalidAccrualAsync(shop));

        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        Assert.Equal("writes", RpcAssert.InfoOf(error)!.Metadata["limit_class"]);
        Assert.NotNull(error.GetRpcStatus()?.GetDetail<RetryInfo>());
        Assert.Equal($"partner:{shop.ProgramCode}/writes", Assert.Single(error.GetRpcStatus()!.GetDetail<QuotaFailure>().Violations).Subject);
    }

    [Fact]
    public async Task Accrue_InvalidRequestsSpentTheWritesBurst_ValidWriteIsRefused()
    {
        var (shop, member) = await PartnerWithMemberAsync();
        await Drive.UntilRefusedAsync(() => InvalidAccrualAsync(shop));

        var error = await RpcAssert.FailsAsync(StatusCode.ResourceExhausted, "RATE_LIMITED", () => shop.AccrueAsync(member, 1));

        Assert.Equal("writes", RpcAssert.InfoOf(error)!.Metadata["limit_class"]);
    }

    [Fact]
    public async Task Accrue_RefusedByWritesLimit_ClaimsNoKeyAndRecordsNothing()
    {
        var (shop, _) = await PartnerWithMemberAsync();
        var members = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            members.Add(await shop.EnrollAsync());
        }
        var keys = new List<string>();
        var turn = 0;

        // Spread over five members so their velocity (5 × burst 5) never runs out before the partner's writes (burst 10) do.
        var error = await Drive.UntilRefusedAsync(async () =>
        {
            var key = Guid.NewGuid().ToString("N");
            keys.Add(key);
            await shop.Points.AccrueAsync(Accrual(members[turn++ % members.Count], key));
        });

        Assert.Equal("writes", RpcAssert.InfoOf(error)!.Metadata["limit_class"]);
        Assert.Empty(IdempotencyKeys(shop.ProgramCode, keys[^1]));
        var recorded = 0;
        foreach (var member in members)
        {
            recorded += (await shop.Points.ListTransactionsAsync(new ListTransactionsRequest { MemberNumber = member })).Transactions.Count;
        }
        Assert.Equal(keys.Count - 1, recorded);
    }

    [Fact]
    public async Task Accrue_RefusedByVelocity_ClaimsNoKeyAndRecordsNothing()
    {
        var (shop, member) = await PartnerWithMemberAsync();
        var keys = new List<string>();

        var error = await Drive.UntilRefusedAsync(async () =>
        {
            var key = Guid.NewGuid().ToString("N");
            keys.Add(key);
            await shop.Points.AccrueAsync(Accrual(member, key));
        });

        Assert.Equal("member_velocity", RpcAssert.InfoOf(error)!.Metadata["limit_class"]);
        Assert.Empty(IdempotencyKeys(shop.ProgramCode, keys[^1]));
        Assert.Equal(keys.Count - 1, (await shop.Points.ListTransactionsAsync(new ListTransactionsRequest { MemberNumber = member })).Transactions.Count);
        Assert.Equal((keys.Count - 1) * 100, await shop.BalanceAsync(member));
    }

    [Fact]
    public async Task Accrue_SameKeyRetriedAfterVelocityRefusal_RunsOnce()
    {
        var (shop, member) = await PartnerWithMemberAsync();
        await Drive.UntilRefusedAsync(() => shop.AccrueAsync(member, 100));
        var balance = await shop.BalanceAsync(member);
        var request = Accrual(member, Guid.NewGuid().ToString("N"));

        var response = await UntilAdmittedAsync(() => shop.Points.AccrueAsync(request).ResponseAsync);

        // A replay counts against the velocity too, so it may have to wait as well.
        var replay = await UntilAdmittedAsync(() => shop.Points.AccrueAsync(request).ResponseAsync);
        Assert.Equal(balance + 100, response.BalancePoints);
        Assert.Equal(response.Transaction.TransactionId, replay.Transaction.TransactionId);
        Assert.Equal(balance + 100, await shop.BalanceAsync(member));
    }

    [Fact]
    public async Task Accrue_OverWritesQuotaWhileRedisIsDown_LocalLimiterRefusesAndRecordsNothing()
    {
        var (shop, _) = await PartnerWithMemberAsync();
        var members = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            members.Add(await shop.EnrollAsync());
        }
        _redis.Stop();
        var admitted = 0;
        var turn = 0;

        var error = await Drive.UntilRefusedAsync(async () =>
        {
            await shop.AccrueAsync(members[turn++ % members.Count], 1);
            admitted++;
        });

        Assert.Equal("writes", RpcAssert.InfoOf(error)!.Metadata["limit_class"]);
        var total = 0L;
        foreach (var member in members)
        {
            total += await shop.BalanceAsync(member);
        }
        Assert.Equal(admitted, total);
    }

    [Fact]
    public async Task Accrue_SameKeyTwiceWhileRedisIsDown_PostsOnceAndDrawsVelocityLocally()
    {
        var (shop, member) = await PartnerWithMemberAsync();
        _redis.Stop();
        var request = Accrual(member, Guid.NewGuid().ToString("N"));

        var first = await shop.Points.AccrueAsync(request);
        var again = await shop.Points.AccrueAsync(request);
        var error = await Drive.UntilRefusedAsync(() => shop.AccrueAsync(member, 1));

        Assert.Equal(first.Transaction.TransactionId, again.Transaction.TransactionId);
        Assert.Equal("member_velocity", RpcAssert.InfoOf(error)!.Metadata["limit_class"]);
    }

    private async Task<(TestPartner Partner, string Member)> PartnerWithMemberAsync()
    {
        var partner = await _exchange.CreatePartnerAsync();
        return (partner, await partner.EnrollAsync());
    }

    private static async Task InvalidAccrualAsync(TestPartner shop)
    {
        try
        {
            await shop.Points.AccrueAsync(Accrual("bad member!", Guid.NewGuid().ToString("N")));
        }
        catch (RpcException error) when (error.StatusCode == StatusCode.InvalidArgument)
        {
            // Refused as bad input, as expected while under the limit.
        }
    }

    /// <summary>Sends the call again after each RATE_LIMITED refusal's RetryInfo delay until it is admitted.</summary>
    private static async Task<T> UntilAdmittedAsync<T>(Func<Task<T>> call)
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            try
            {
                return await call();
            }
            catch (RpcException error) when (RpcAssert.ReasonOf(error) == "RATE_LIMITED")
            {
                await Task.Delay(error.GetRpcStatus()!.GetDetail<RetryInfo>().RetryDelay.ToTimeSpan());
            }
        }
        throw new InvalidOperationException("100 retries were refused; the limit never refilled.");
    }

    /// <summary>Lua script calls (EVAL and EVALSHA) Redis has served: the exchange's only commands per call.</summary>
    private async Task<long> ScriptCallsAsync()
    {
        var stats = await _admin.GetServer(_redis.Configuration).InfoAsync("commandstats");
        return stats.SelectMany(group => group)
            .Where(stat => stat.Key is "cmdstat_eval" or "cmdstat_evalsha")
            .Sum(stat => long.Parse(stat.Value.Split(',')[0]["calls=".Length..], System.Globalization.CultureInfo.InvariantCulture));
    }

    private List<RedisKey> IdempotencyKeys(string programCode, string idempotencyKey) =>
        _admin.GetServer(_redis.Configuration).Keys(pattern: $"{KeyPrefix}:{{{programCode}}}:idem2:{idempotencyKey}").ToList();

    private static AccrueRequest Accrual(string member, string key) =>
        new() { IdempotencyKey = key, MemberNumber = member, Points = 100, Reason = AccrualReason.Promotion };
}
