using Grpc.Core;
using PartnerExchange.Ledger.Commands;
using PartnerExchange.Ledger.Writing;
using PartnerExchange.Testing;

namespace PartnerExchange.Server.Tests.Writes;

/// <summary>
/// Write admission on its own, over a real redis-server: the partner's writes bucket, then the member's velocity
/// bucket, then the idempotency claim, in one round trip; a refusal answers with the refusing bucket's error and
/// claims nothing; without Redis the same buckets are drawn in process. (End to end: PartnerExchange.Server.Tests.WriteAdmissionTests.)
/// </summary>
public sealed class WriteAdmissionTests(ServerParts parts) : IClassFixture<ServerParts>
{
    private static readonly RateLimit OneAtATime = new(1, 1);
    private static readonly RateLimit Plenty = new(1000, 1000);

    private readonly List<string> _refusedBy = [];

    [Fact]
    public async Task Admit_WithinLimits_ClaimsTheKey()
    {
        var admission = Admission(parts);
        var scope = Scope();

        var admitted = await AdmitAsync(admission, scope, Bucket("partner", Plenty), Bucket("member", Plenty));

        Assert.Equal("Started", StateOf(admitted));
        Assert.Equal("Running", StateOf(await AdmitAsync(admission, scope, null, null)));
    }

    [Fact]
    public async Task Admit_PartnerBucketEmpty_RefusesWithItsErrorAndClaimsNothing()
    {
        var admission = Admission(parts);
        var partner = Bucket("partner", OneAtATime);
        await AdmitAsync(admission, Scope(), partner, null);
        var scope = Scope();

        var error = await Assert.ThrowsAsync<RpcException>(() => AdmitAsync(admission, scope, partner, null));

        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        Assert.Equal(["partner"], _refusedBy);
        Assert.Equal("Started", StateOf(await AdmitAsync(admission, scope, null, null)));
    }

    [Fact]
    public async Task Admit_MemberBucketEmpty_RefusesWithMemberErrorAndClaimsNothing()
    {
        var admission = Admission(parts);
        var member = Bucket("member", OneAtATime);
        await AdmitAsync(admission, Scope(), Bucket("partner", Plenty), member);
        var scope = Scope();

        await Assert.ThrowsAsync<RpcException>(() => AdmitAsync(admission, scope, Bucket("partner", Plenty), member));

        Assert.Equal(["member"], _refusedBy);
        Assert.Equal("Started", StateOf(await AdmitAsync(admission, scope, null, null)));
    }

    [Fact]
    public async Task Admit_RedisDown_DrawsTheBucketsInProcess()
    {
        using var redis = new RedisServer();
        var down = ServerParts.Over(redis.Configuration);
        redis.Stop();
        await down.InitializeAsync();
        try
        {
            var admission = Admission(down);
            var partner = Bucket("partner", OneAtATime);

            var first = await AdmitAsync(admission, Scope(), partner, null);
            var error = await Assert.ThrowsAsync<RpcException>(() => AdmitAsync(admission, Scope(), partner, null));

            Assert.Equal("Unknown", StateOf(first));
            Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
            Assert.Equal(["partner"], _refusedBy);
        }
        finally
        {
            await down.DisposeAsync();
        }
    }

    // ---- Helpers ----

    private static object Admission(ServerParts from) =>
        ServerParts.New("Writes.WriteAdmission", from.Resolve("Redis.IdempotencyCache"), from.Resolve("RateLimiting.RequestLimiter"));

    private static IdempotencyScope Scope() =>
        new("SHOP", "SHOP", "0123456789abcdef", Guid.NewGuid().ToString("N"), "/partnerexchange.v1.PointsService/Accrue", [1, 2, 3]);

    /// <summary>A bucket of its own (a fresh name) that records its name when it refuses.</summary>
    private object Bucket(string refusedAs, RateLimit limit)
    {
        Func<TimeSpan, RpcException> refuse = _ =>
        {
            _refusedBy.Add(refusedAs);
            return new RpcException(new Status(StatusCode.ResourceExhausted, "over the limit"));
        };
        return ServerParts.New("RateLimiting.LimitBucket", "SHOP", "rl", Guid.NewGuid().ToString("N")[..12], limit, refuse);
    }

    private static async Task<object> AdmitAsync(object admission, IdempotencyScope scope, object? partner, object? member) =>
        (await ServerParts.CallAsync(admission, "AdmitAsync", scope, partner, member))!;

    private static string StateOf(object lookup) => ServerParts.Get(lookup, "State")!.ToString()!;
}
