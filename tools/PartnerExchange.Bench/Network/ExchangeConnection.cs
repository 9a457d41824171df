using Grpc.Core;
using Grpc.Net.Client;
using PartnerExchange.V1;

namespace PartnerExchange.Bench.Network;

/// <summary>
/// HTTP/2 connections to the exchange and the generated clients over them, shared by every caller. Calls carry
/// their key in headers and a deadline each. The typed PartnerExchangeClient is not used for load: its retries
/// would hide the failures the benchmark must count.
/// </summary>
internal sealed class ExchangeConnection : IDisposable
{
    private readonly SocketsHttpHandler _handler;
    private readonly GrpcChannel _channel;
    private readonly TimeSpan _callTimeout;

    public ExchangeConnection(Uri address, TimeSpan callTimeout)
    {
        _callTimeout = callTimeout;
        // More than one connection once a connection's stream limit is reached, as a busy partner system would.
        _handler = new SocketsHttpHandler { EnableMultipleHttp2Connections = true, PooledConnectionIdleTimeout = TimeSpan.FromMinutes(10) };
        _channel = GrpcChannel.ForAddress(address, new GrpcChannelOptions { HttpHandler = _handler, DisposeHttpClient = false });
        Points = new PointsService.PointsServiceClient(_channel);
        Conversions = new ConversionService.ConversionServiceClient(_channel);
        Diagnostics = new DiagnosticsService.DiagnosticsServiceClient(_channel);
        Admin = new AdminService.AdminServiceClient(_channel);
        Settlement = new SettlementService.SettlementServiceClient(_channel);
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
        _channel.Dispose();
        _handler.Dispose();
    }
}

/// <summary>An API key as the headers that carry it. The headers are shared by calls and never changed.</summary>
internal sealed class Credential(string secret)
{
    public Metadata Headers { get; } = new() { { "authorization", $"Bearer {secret}" } };
}
