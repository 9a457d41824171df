using Grpc.Core;
using PartnerExchange.Testing;
using PartnerExchange.V1;

namespace PartnerExchange.Server.Tests.Security;

/// <summary>
/// Two servers on one ledger file, each with its own Redis key prefix, so a revocation made through one is never
/// announced to the other: as when Redis is down or its pub/sub message is lost. The streaming server trusts cached
/// keys for five minutes, so only its streams' own reading of the key can end them.
/// </summary>
public sealed class MissedRevocationTests : IAsyncLifetime
{
    // The bound of the whole test, many heartbeats long; the stream must end well within it.
    private static readonly TimeSpan PatienceMax = TimeSpan.FromSeconds(60);

    private readonly RunningExchange _streaming = new();
    private readonly RunningExchange _revoking = new();

    public async Task InitializeAsync()
    {
        _streaming.Settings["Exchange:ApiKeyCacheTtl"] = "00:05:00";
        _streaming.Settings["Events:HeartbeatInterval"] = "00:00:02";
        _streaming.Settings["RateLimits:Writes:RequestsPerSecond"] = "1000000";
        _streaming.Settings["RateLimits:Writes:Burst"] = "1000000";
        _revoking.Settings["Ledger:DatabasePath"] = _streaming.DatabasePath;
        await _streaming.InitializeAsync();
        await _revoking.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await _revoking.DisposeAsync();
        await _streaming.DisposeAsync();
    }

    [Fact]
    public async Task StreamEvents_KeyRevokedUnannouncedWhileEventsFlow_EndsWithApiKeyInvalid()
    {
        var partner = await _streaming.CreatePartnerAsync();
        var member = await partner.EnrollAsync();
        var feedKey = await _streaming.CreatePartnerKeyAsync(partner.ProgramCode, "feed");
        using var patience = new CancellationTokenSource(PatienceMax);
        using var stream = new EventsService.EventsServiceClient(_streaming.Channel)
            .StreamEvents(new StreamEventsRequest { FromNow = true }, RunningExchange.Bearer(feedKey.Secret), cancellationToken: patience.Token);
        await stream.ResponseHeadersAsync;
        using var trafficEnds = CancellationTokenSource.CreateLinkedTokenSource(patience.Token);
        // Commits of the streaming server itself wake the stream at once: with several writers it never idles.
        var traffic = Task.WhenAll(Enumerable.Range(0, 4).Select(_ => AccrueUntilAsync(partner, member, trafficEnds.Token)));
        Assert.True(await stream.ResponseStream.MoveNext(patience.Token), "The stream ended before the revocation.");

        await _revoking.Admin().RevokeApiKeyAsync(new RevokeApiKeyRequest { IdempotencyKey = Guid.NewGuid().ToString("N"), KeyId = feedKey.ApiKey.KeyId });

        var ended = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            while (await stream.ResponseStream.MoveNext(patience.Token))
            {
                // Events keep flowing until the stream reads its key again.
            }
        });
        await trafficEnds.CancelAsync();
        await traffic;
        Assert.Equal(StatusCode.Unauthenticated, ended.StatusCode);
        Assert.Equal("API_KEY_INVALID", RpcAssert.ReasonOf(ended));
    }

    private static async Task AccrueUntilAsync(TestPartner partner, string member, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await partner.Points.AccrueAsync(
                    new AccrueRequest { IdempotencyKey = Guid.NewGuid().ToString("N"), MemberNumber = member, Points = 1, Reason = AccrualReason.Promotion },
                    cancellationToken: stop);
            }
            catch (RpcException) when (stop.IsCancellationRequested)
            {
                return;
            }
        }
    }
}
