using Grpc.Core;
using PartnerExchange.Testing;
using PartnerExchange.V1;
using StackExchange.Redis;

namespace PartnerExchange.Server.Tests.Events;

/// <summary>
/// The per-partner stream cap held in Redis: two servers on one ledger and one Redis, a cap of one stream per
/// partner, and leases written straight into Redis as another server would leave them.
/// </summary>
public sealed class StreamCapAcrossServersTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private readonly string _prefix = "t" + Guid.NewGuid().ToString("N")[..8];
    private readonly RunningExchange _first = new();
    private readonly RunningExchange _second = new();

    public async Task InitializeAsync()
    {
        foreach (var server in new[] { _first, _second })
        {
            server.Settings["Redis:KeyPrefix"] = _prefix;
            server.Settings["Events:MaxStreamsPerPartner"] = "1";
            server.Settings["Events:TooManyStreamsRetryDelay"] = "00:00:00.050";
            // The shortest lease, renewed every second, so a test can outlast one.
            server.Settings["Events:StreamLease"] = "00:00:03";
        }
        _second.Settings["Ledger:DatabasePath"] = _first.DatabasePath;
        await _first.InitializeAsync();
        await _second.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await _second.DisposeAsync();
        await _first.DisposeAsync();
    }

    [Fact]
    public async Task StreamEvents_PartnersOnlySlotTakenOnOneServer_IsTooManyStreamsOnTheOther()
    {
        var partner = await PartnerWithAnEventAsync();
        using var held = await OpenAdmittedAsync(_first, partner.Key);

        using var refused = Open(_second, partner.Key);

        await RpcAssert.FailsAsync(StatusCode.ResourceExhausted, "TOO_MANY_STREAMS", () => refused.ResponseStream.MoveNext());
    }

    [Fact]
    public async Task StreamEvents_StreamClosedOnOneServer_FreesItsSlotOnTheOther()
    {
        var partner = await PartnerWithAnEventAsync();
        var held = await OpenAdmittedAsync(_first, partner.Key);

        held.Dispose();

        // The server notices the cancelled call a moment later: retry as a client would.
        using var admitted = await OpenAdmittedAsync(_second, partner.Key, retryWhileFull: true);
    }

    [Fact]
    public async Task StreamEvents_StreamOpenLongerThanItsLease_KeepsItsSlotByRenewing()
    {
        var partner = await PartnerWithAnEventAsync();
        using var held = await OpenAdmittedAsync(_first, partner.Key);

        // One and a half leases: without renewals the slot would have run out.
        await Task.Delay(TimeSpan.FromSeconds(4.5));
        using var refused = Open(_second, partner.Key);

        await RpcAssert.FailsAsync(StatusCode.ResourceExhausted, "TOO_MANY_STREAMS", () => refused.ResponseStream.MoveNext());
    }

    [Fact]
    public async Task StreamEvents_LeaseOfAServerThatDied_IsNotCounted()
    {
        var partner = await PartnerWithAnEventAsync();
        // A lease that ran out long ago: its server never came back to remove it.
        await AddLeaseAsync(partner.ProgramCode, expiresAtMs: 1);

        using var admitted = await OpenAdmittedAsync(_second, partner.Key);
    }

    [Fact]
    public async Task StreamEvents_LiveLeaseOfAnotherServer_IsCounted()
    {
        var partner = await PartnerWithAnEventAsync();
        await AddLeaseAsync(partner.ProgramCode, expiresAtMs: DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeMilliseconds());

        using var stream = Open(_first, partner.Key);

        await RpcAssert.FailsAsync(StatusCode.ResourceExhausted, "TOO_MANY_STREAMS", () => stream.ResponseStream.MoveNext());
    }

    [Fact]
    public async Task StreamEvents_OperatorTailingThePartner_CountsInItsOwnPool()
    {
        var partner = await PartnerWithAnEventAsync();
        using var held = await OpenAdmittedAsync(_first, partner.Key);

        using var tail = await OpenAdmittedAsync(_second, _second.OperatorKey, partner.ProgramCode);
    }

    private async Task<TestPartner> PartnerWithAnEventAsync()
    {
        var partner = await _first.CreatePartnerAsync();
        await partner.AccrueAsync(await partner.EnrollAsync(), 1);
        return partner;
    }

    private static AsyncServerStreamingCall<StreamEventsResponse> Open(RunningExchange server, string key, string programCode = "") =>
        new EventsService.EventsServiceClient(server.Channel)
            .StreamEvents(new StreamEventsRequest { AfterCursor = 0, ProgramCode = programCode }, RunningExchange.Bearer(key));

    /// <summary>
    /// A stream from the program's first event, once that event has arrived (which proves the stream was admitted: a
    /// refused one fails on its first read). With <paramref name="retryWhileFull"/>, TOO_MANY_STREAMS is retried.
    /// </summary>
    private static async Task<AsyncServerStreamingCall<StreamEventsResponse>> OpenAdmittedAsync(
        RunningExchange server, string key, string programCode = "", bool retryWhileFull = false)
    {
        var giveUp = DateTime.UtcNow + Patience;
        while (true)
        {
            var stream = Open(server, key, programCode);
            try
            {
                using var patience = new CancellationTokenSource(Patience);
                Assert.True(await stream.ResponseStream.MoveNext(patience.Token), "The stream ended before its first event.");
                return stream;
            }
            catch (RpcException error) when (retryWhileFull && RpcAssert.ReasonOf(error) == "TOO_MANY_STREAMS" && DateTime.UtcNow < giveUp)
            {
                stream.Dispose();
                await Task.Delay(50);
            }
            catch
            {
                stream.Dispose();
                throw;
            }
        }
    }

    /// <summary>A lease of the partner's own pool, as another server's stream would hold it.</summary>
    private async Task AddLeaseAsync(string programCode, long expiresAtMs)
    {
        await using var connection = await ConnectionMultiplexer.ConnectAsync(RedisServer.Shared.Configuration);
        await connection.GetDatabase().SortedSetAddAsync($"{_prefix}:{{{programCode}}}:streams:partner", "stream-of-another-server", expiresAtMs);
    }
}
