using Grpc.Core;
using PartnerExchange.Testing;
using PartnerExchange.V1;

namespace PartnerExchange.Server.Tests;

/// <summary>
/// Two servers on one ledger file and one Redis, as behind a load balancer. Their key caches trust a key for five
/// minutes here, so only the revocation announcement through Redis can stop a key on the other server in time.
/// </summary>
public sealed class KeyRevocationTests : IAsyncLifetime
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
        var created = await _revoking.Admin().CreateApiKeyAsync(new CreateApiKeyRequest
        {
            IdempotencyKey = Guid.NewGuid().ToString("N"), Role = ApiKeyRole.Partner, ProgramCode = partner.ProgramCode, Label = "till 7",
        });
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
        var created = await _revoking.Admin().CreateApiKeyAsync(new CreateApiKeyRequest
        {
            IdempotencyKey = Guid.NewGuid().ToString("N"), Role = ApiKeyRole.Partner, ProgramCode = partner.ProgramCode, Label = "feed",
        });
        using var stream = new EventsService.EventsServiceClient(_other.Channel)
            .StreamEvents(new StreamEventsRequest { FromNow = true }, RunningExchange.Bearer(created.Secret));
        await stream.ResponseHeadersAsync;

        await _revoking.Admin().RevokeApiKeyAsync(new RevokeApiKeyRequest { IdempotencyKey = Guid.NewGuid().ToString("N"), KeyId = created.ApiKey.KeyId });

        // The other server's stream would otherwise wait 15 s for its first heartbeat.
        using var patience = new CancellationTokenSource(AnnouncementWaitMax);
        await RpcAssert.FailsAsync(StatusCode.Unauthenticated, "API_KEY_INVALID", () => stream.ResponseStream.MoveNext(patience.Token));
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
