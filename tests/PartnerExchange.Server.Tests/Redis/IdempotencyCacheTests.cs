using PartnerExchange.Ledger.Commands;
using PartnerExchange.Ledger.Writing;
using PartnerExchange.Testing;
using StackExchange.Redis;

namespace PartnerExchange.Server.Tests.Redis;

/// <summary>
/// The Redis fast path of idempotency on its own, over a real redis-server: what it answers for a key in each state,
/// that only the request holding the marker may complete or release it, and that a refusing bucket claims nothing.
/// </summary>
public sealed class IdempotencyCacheTests(ServerParts parts) : IClassFixture<ServerParts>
{
    private const string Accrue = "/partnerexchange.v1.PointsService/Accrue";
    private const string Redeem = "/partnerexchange.v1.PointsService/Redeem";

    private object Cache => parts.Resolve("Redis.IdempotencyCache");

    [Fact]
    public async Task Begin_NewKey_Started()
    {
        var lookup = await BeginAsync(Scope());

        Assert.Equal("Started", StateOf(lookup));
    }

    [Fact]
    public async Task Begin_SameRequestWhileRunning_Running()
    {
        var scope = Scope();
        await BeginAsync(scope);

        Assert.Equal("Running", StateOf(await BeginAsync(scope)));
    }

    [Fact]
    public async Task Begin_OtherRequestWhileRunning_Contended()
    {
        var scope = Scope();
        await BeginAsync(scope);

        Assert.Equal("Contended", StateOf(await BeginAsync(scope with { RequestFingerprint = [9] })));
    }

    [Fact]
    public async Task Begin_SameRequestAfterComplete_Completed()
    {
        var scope = Scope();
        await CompleteAsync(scope, await BeginAsync(scope));

        Assert.Equal("Completed", StateOf(await BeginAsync(scope)));
    }

    [Fact]
    public async Task Begin_OtherRequestAfterComplete_Reused()
    {
        var scope = Scope();
        await CompleteAsync(scope, await BeginAsync(scope));

        Assert.Equal("Reused", StateOf(await BeginAsync(scope with { RequestFingerprint = [9] })));
    }

    [Fact]
    public async Task Begin_SameRequestOfOtherRpcAfterComplete_Reused()
    {
        var scope = Scope();
        await CompleteAsync(scope, await BeginAsync(scope));

        Assert.Equal("Reused", StateOf(await BeginAsync(scope with { Method = Redeem })));
    }

    [Fact]
    public async Task Begin_AfterAbandon_StartedAgain()
    {
        var scope = Scope();
        var first = await BeginAsync(scope);
        await ServerParts.CallAsync(Cache, "AbandonAsync", scope, TokenOf(first));

        Assert.Equal("Started", StateOf(await BeginAsync(scope)));
    }

    [Fact]
    public async Task Complete_WithTokenOfAnotherRequest_LeavesKeyRunning()
    {
        var scope = Scope();
        await BeginAsync(scope);

        ServerParts.Call(Cache, "Complete", scope, "not-the-holders-token");

        Assert.Equal("Running", StateOf(await BeginAsync(scope)));
    }

    [Fact]
    public async Task Abandon_AfterComplete_KeepsKeyCompleted()
    {
        var scope = Scope();
        var first = await BeginAsync(scope);
        await CompleteAsync(scope, first);

        await ServerParts.CallAsync(Cache, "AbandonAsync", scope, TokenOf(first));

        Assert.Equal("Completed", StateOf(await BeginAsync(scope)));
    }

    [Fact]
    public async Task Begin_FirstBucketEmpty_LimitedByItAndKeyNotClaimed()
    {
        var bucket = Bucket(NewName(), new RateLimit(1, 1));
        await BeginAsync(Scope(), bucket);
        var scope = Scope();

        var limited = await BeginAsync(scope, bucket);

        Assert.Equal("Limited", StateOf(limited));
        Assert.Equal(0, ServerParts.Get(limited, "RefusingBucket"));
        Assert.True((long)ServerParts.Get(limited, "WaitUs")! > 0);
        Assert.Equal("Started", StateOf(await BeginAsync(scope)));
    }

    [Fact]
    public async Task Begin_SecondBucketEmpty_LimitedBySecond()
    {
        var open = Bucket(NewName(), new RateLimit(1000, 1000));
        var member = Bucket(NewName(), new RateLimit(1, 1));
        await BeginAsync(Scope(), open, member);

        var limited = await BeginAsync(Scope(), open, member);

        Assert.Equal("Limited", StateOf(limited));
        Assert.Equal(1, ServerParts.Get(limited, "RefusingBucket"));
    }

    [Fact]
    public async Task Begin_RedisDown_UnknownAndDrawsNothing()
    {
        using var redis = new RedisServer();
        var down = ServerParts.Over(redis.Configuration);
        redis.Stop();
        await down.InitializeAsync();
        try
        {
            var lookup = await ServerParts.CallAsync(down.Resolve("Redis.IdempotencyCache"), "BeginAsync", Scope(), Buckets());

            Assert.Equal("Unknown", StateOf(lookup!));
        }
        finally
        {
            await down.DisposeAsync();
        }
    }

    [Fact]
    public async Task Complete_RedisBusy_ReturnsBeforeRedisAnswersAndCompletesAfter()
    {
        using var redis = new RedisServer();
        var busy = ServerParts.Over(redis.Configuration);
        // Long enough that only a caller that does not wait returns while Redis is still busy.
        busy.Settings["Redis:OperationTimeout"] = "00:00:10";
        await busy.InitializeAsync();
        await using var admin = await ConnectionMultiplexer.ConnectAsync(redis.Configuration);
        try
        {
            var cache = busy.Resolve("Redis.IdempotencyCache");
            var scope = Scope();
            var first = await ServerParts.CallAsync(cache, "BeginAsync", scope, Buckets());
            // Redis runs one script at a time: this one holds it for 3 s (of its own clock) after it starts.
            var hold = admin.GetDatabase().ScriptEvaluateAsync("""
                local start = redis.call('TIME')[1]
                while redis.call('TIME')[1] - start < 3 do end
                return 1
                """);
            await Task.Delay(300);

            var returned = ServerParts.Call(cache, "Complete", scope, TokenOf(first!));

            // The caller has nothing left to wait for while Redis is busy: a write's answer needs no completion.
            Assert.False(returned is Task { IsCompleted: false });
            Assert.False(hold.IsCompleted);
            await hold;
            Assert.Equal("Completed", StateOf((await ServerParts.CallAsync(cache, "BeginAsync", scope, Buckets()))!));
        }
        finally
        {
            await busy.DisposeAsync();
        }
    }

    // ---- Helpers ----

    private static IdempotencyScope Scope() =>
        new("SHOP", "SHOP", "0123456789abcdef", Guid.NewGuid().ToString("N"), Accrue, [1, 2, 3]);

    private static string NewName() => Guid.NewGuid().ToString("N")[..12];

    /// <summary>A bucket of the partner SHOP: its key and its limit, as the write path passes them.</summary>
    private (RedisKey Key, object Limit) Bucket(string name, RateLimit limit) =>
        ((RedisKey)ServerParts.Call(parts.Resolve("Redis.RedisConnection"), "Key", "SHOP", "rl", name)!,
            ServerParts.Call(ServerParts.TypeOf("RateLimiting.Gcra"), "Of", limit)!);

    /// <summary>The list of (key, limit) pairs BeginAsync takes.</summary>
    private static System.Collections.IList Buckets(params (RedisKey Key, object Limit)[] buckets)
    {
        var pair = typeof(ValueTuple<,>).MakeGenericType(typeof(RedisKey), ServerParts.TypeOf("RateLimiting.Gcra"));
        return ServerParts.ListOf(pair, buckets.Select(b => Activator.CreateInstance(pair, b.Key, b.Limit)));
    }

    private async Task<object> BeginAsync(IdempotencyScope scope, params (RedisKey Key, object Limit)[] buckets) =>
        (await ServerParts.CallAsync(Cache, "BeginAsync", scope, Buckets(buckets)))!;

    // Completion is sent without waiting; the next command of the same connection (a Begin) runs after it in Redis.
    private Task CompleteAsync(IdempotencyScope scope, object lookup)
    {
        ServerParts.Call(Cache, "Complete", scope, TokenOf(lookup));
        return Task.CompletedTask;
    }

    private static string StateOf(object lookup) => ServerParts.Get(lookup, "State")!.ToString()!;

    private static string TokenOf(object lookup) => (string)ServerParts.Get(lookup, "Token")!;
}
