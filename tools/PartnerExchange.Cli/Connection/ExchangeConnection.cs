using Grpc.Core;
using Grpc.Net.Client;
using PartnerExchange.Cli.Input;
using PartnerExchange.V1;

namespace PartnerExchange.Cli.Connection;

/// <summary>
/// One channel to the exchange with the operator key, a per-call deadline and the run's TLS settings. The key
/// travels in the <c>authorization</c> header of each call's options rather than in an interceptor, so it is never
/// held anywhere that might print it.
/// </summary>
internal sealed class ExchangeConnection : IDisposable
{
    private readonly Uri _address;
    private readonly GrpcChannel _channel;
    private readonly Metadata _headers;

    private ExchangeConnection(Uri address, string operatorKey, TimeSpan timeout, TransportSecurity security)
    {
        _address = address;
        Security = security;
        Address = address.OriginalString;
        Timeout = timeout;
        _headers = new Metadata { { "authorization", $"Bearer {operatorKey}" } };
        _channel = OpenChannel();
        Admin = new AdminService.AdminServiceClient(_channel);
        Settlement = new SettlementService.SettlementServiceClient(_channel);
        Points = new PointsService.PointsServiceClient(_channel);
        Diagnostics = new DiagnosticsService.DiagnosticsServiceClient(_channel);
        Health = new Grpc.Health.V1.Health.HealthClient(_channel);
    }

    /// <summary>The exchange's address, as the user gave it.</summary>
    public string Address { get; }

    /// <summary>Longest time one call may take.</summary>
    public TimeSpan Timeout { get; }

    public AdminService.AdminServiceClient Admin { get; }

    public SettlementService.SettlementServiceClient Settlement { get; }

    /// <summary>Members' accounts and transactions, read with the operator key naming the program.</summary>
    public PointsService.PointsServiceClient Points { get; }

    /// <summary>Ping: who the key belongs to, and the server's time.</summary>
    public DiagnosticsService.DiagnosticsServiceClient Diagnostics { get; }

    /// <summary>The standard gRPC health service: the exchange ("") and Redis, each serving or not.</summary>
    public Grpc.Health.V1.Health.HealthClient Health { get; }

    /// <summary>Whether the channel speaks TLS (an https:// address).</summary>
    public bool UsesTls => _address.Scheme == Uri.UriSchemeHttps;

    /// <summary>The run's TLS settings, and what the handshake found.</summary>
    public TransportSecurity Security { get; }

    /// <summary>Opens a channel (lazily: nothing is sent until the first call).</summary>
    /// <exception cref="UsageException">
    /// The address is not an http(s) URL, the key is empty, TLS files are given for an http:// address, or they
    /// cannot be read.
    /// </exception>
    public static ExchangeConnection Open(string address, string? operatorKey, TimeSpan timeout, TlsFiles tls)
    {
        if (!Uri.TryCreate(address, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw new UsageException($"--address '{address}' is not an http:// or https:// address, e.g. http://127.0.0.1:5080.");
        }
        if (string.IsNullOrWhiteSpace(operatorKey))
        {
            throw new UsageException("no operator key: pass --key or set PX_OPERATOR_KEY.");
        }
        // Certificates given for a plain-text address would be silently unused: the operator meant TLS.
        if (uri.Scheme == Uri.UriSchemeHttp && tls.AnyGiven)
        {
            throw new UsageException(
                $"--ca-cert, --client-cert and --client-key apply to TLS only, but --address '{address}' is http://; use https://.");
        }
        return new ExchangeConnection(uri, operatorKey.Trim(), timeout, TransportSecurity.Load(tls));
    }

    /// <summary>
    /// A new channel to the exchange with the run's TLS settings; every channel pxctl opens comes from here. The
    /// caller disposes it.
    /// </summary>
    public GrpcChannel OpenChannel() =>
        // Over http:// (h2c) the channel makes its own default handler, exactly as before TLS settings existed.
        GrpcChannel.ForAddress(_address, new GrpcChannelOptions { HttpHandler = UsesTls ? Security.CreateHandler() : null, DisposeHttpClient = true });

    /// <summary>Options for one call: the key, a deadline of <see cref="Timeout"/> from now, and cancellation.</summary>
    public CallOptions Call(CancellationToken cancellationToken) =>
        new(headers: _headers, deadline: DateTime.UtcNow + Timeout, cancellationToken: cancellationToken);

    public void Dispose()
    {
        _channel.Dispose();
        Security.Dispose();
    }
}
