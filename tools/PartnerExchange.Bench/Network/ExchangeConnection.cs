using Grpc.Core;
using PartnerExchange.Client;
using PartnerExchange.V1;

namespace PartnerExchange.Bench.Network;

/// <summary>
/// HTTP/2 connections to the exchange and the generated clients over them, shared by every caller: the channel of
/// the project's own <see cref="PartnerExchangeClient"/>, with the operator key. Each call carries its caller's key
/// in its headers, which the client leaves as they are, and a deadline of its own. Only the client's raw generated
/// clients are used for load: its typed methods' retries would hide the failures the benchmark must count.
/// </summary>
internal sealed class ExchangeConnection : IDisposable
{
    private readonly SocketsHttpHandler _handler;
    private readonly PartnerExchangeClient _client;
    private readonly TimeSpan _callTimeout;

    public ExchangeConnection(Uri address, string operatorKey, TimeSpan callTimeout)
    {
        _callTimeout = callTimeout;
        // More than one connection once a connection's stream limit is reached, as a busy partner system would.
        _handler = new SocketsHttpHandler { EnableMultipleHttp2Connections = true, PooledConnectionIdleTimeout = TimeSpan.FromMinutes(10) };
        _client = new PartnerExchangeClient(
            new PartnerExchangeClientOptions { Address = address, ApiKey = operatorKey, Deadline = callTimeout, MaxAttempts = 1 }, _handler);
        Points = _client.Points;
        Conversions = _client.Conversions;
        Admin = _client.Admin;
        Diagnostics = new DiagnosticsService.DiagnosticsServiceClient(_client.CallInvoker);
        Settlement = new SettlementService.SettlementServiceClient(_client.CallInvoker);
    }

    public PointsService.PointsServiceClient Points { get; }
    public ConversionService.ConversionServiceClient Conversions { get; }
    public DiagnosticsService.DiagnosticsServiceClient Diagnostics { get; }
    public AdminService.AdminServiceClient Admin { get; }
    public SettlementService.SettlementServiceClient Settlement { get; }

    /// <summary>Options of one call with <paramref name="credential"/>, the call deadline (or <paramref name="timeout"/>).</summary>
    public CallOptions With(Credential credential, CancellationToken cancellationToken, TimeSpan? timeout = null) =>
        new(credential.Headers, DateTime.UtcNow + (timeout ?? _callTimeout), cancellationToken);

    public void Dispose()
    {
        _client.Dispose();
        _handler.Dispose();
    }
}

/// <summary>An API key as the headers that carry it. The headers are shared by calls and never changed.</summary>
internal sealed class Credential(string secret)
{
    public Metadata Headers { get; } = new() { { "authorization", $"Bearer {secret}" } };
}
