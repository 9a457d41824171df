using Grpc.Core;
using PartnerExchange.Testing;
using PartnerExchange.V1;

namespace PartnerExchange.Server.Tests.Hosting;

/// <summary>
/// Two servers on one ledger file and one Redis, as behind a load balancer. Their key caches trust a key for five
/// minutes and their idle streams look for other servers' commits every ten minutes here, so only the
/// announcements through Redis can carry a revocation or a commit to the other server in time.
/// </summary>
public sealed class TwoServerTests : IAsyncLifetime
{
    private static readonly TimeSpan AnnouncementWaitMax = TimeSpan.FromSeconds(10);

    private readonly RunningExchange _revoking = new();
    private readonly RunningExchange _other = new();

    public async Task InitializeAsync()
    {
        var prefix = "t" + Guid.NewGuid().ToString("N")[..8];
        foreach (var server in new[] { _revoking, _other })
        {
            server.Settings["Redis:KeyPrefix"] = prefix;
            server.Settings["Exchange:ApiKeyCacheTtl"] = "00:05:00";
            server.Settings["Events:HeartbeatInterval"] = "00:10:00";
        }
        _other.Settings["Ledger:DatabasePath"] = _revoking.DatabasePath;
        await _revoking.InitializeAsync();
        await _other.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await _other.DisposeAsync();
        await _revoking.DisposeAsync();
    }

    [Fact]
    public async Task RevokeApiKey_OnOneServer_StopsTheKeyOnAnotherServerThatHadItCached()
    {
        var partner = await _revoking.CreatePartnerAsync();
        var created = await _revoking.CreatePartnerKeyAsync(partner.ProgramCode, "till 7");
        var onOther = _other.Points(created.Secret);
        await onOther.EnrollMemberAsync(new EnrollMemberRequest { IdempotencyKey = Guid.NewGuid().ToString("N"), MemberNumber = "m1" });

        await _revoking.Admin().RevokeApiKeyAsync(new RevokeApiKeyRequest { IdempotencyKey = Guid.NewGuid().ToString("N"), KeyId = created.ApiKey.KeyId });

        // The announcement is delivered asynchronously: wait for it, far less long than the other server's cache trusts the key.
        var refused = await RefusedWithinAsync(() => onOther.GetAccountAsync(new GetAccountRequest { MemberNumber = "m1" }).ResponseAsync);
        Assert.NotNull(refused);
        Assert.Equal(StatusCode.Unauthenticated, refused.StatusCode);
        Assert.Equal("API_KEY_INVALID", RpcAssert.ReasonOf(refused));
    }

    [Fact]
    public async Task RevokeApiKey_OnOneServer_EndsTheKeysEventStreamOnAnotherServer()
    {
        var partner = await _revoking.CreatePartnerAsync();
        var created = await _revoking.CreatePartnerKeyAsync(partner.ProgramCode, "feed");
        using var stream = new EventsService.EventsServiceClient(_other.Channel)
            .StreamEvents(new StreamEventsRequest { FromNow = true }, RunningExchange.Bearer(created.Secret));
        await stream.ResponseHeadersAsync;

        await _revoking.Admin().RevokeApiKeyAsync(new RevokeApiKeyRequest { IdempotencyKey = Guid.NewGuid().ToString("N"), KeyId = created.ApiKey.KeyId });

        // The other server's stream would otherwise wait 15 s for its first heartbeat.
        using var patience = new CancellationTokenSource(AnnouncementWaitMax);
        await RpcAssert.FailsAsync(StatusCode.Unauthenticated, "API_KEY_INVALID", () => stream.ResponseStream.MoveNext(patience.Token));
    }

    [Fact]
    public async Task Accrue_OnOneServer_ReachesAnEventStreamOnTheOtherAtOnce()
    {
        var partner = await _revoking.CreatePartnerAsync();
        var member = await partner.EnrollAsync();
        using var stream = new EventsService.EventsServiceClient(_other.Channel)
            .StreamEvents(new StreamEventsRequest { FromNow = true }, RunningExchange.Bearer(partner.Key));
        await stream.ResponseHeadersAsync;

        var accrued = await partner.AccrueAsync(member, 42);

        using var patience = new CancellationTokenSource(AnnouncementWaitMax);
        Assert.True(await stream.ResponseStream.MoveNext(patience.Token), "The stream ended.");
        Assert.Equal(accrued.Transaction.TransactionId, stream.ResponseStream.Current.Event.TransactionId);
    }

    private static async Task<RpcException?> RefusedWithinAsync(Func<Task> call)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (waited.Elapsed < AnnouncementWaitMax)
        {
            try
            {
                await call();
            }
            catch (RpcException error)
            {
                return error;
            }
            await Task.Delay(TimeSpan.FromMilliseconds(50));
        }
        return null;
    }
}
