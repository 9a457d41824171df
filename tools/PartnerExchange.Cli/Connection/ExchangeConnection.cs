using Grpc.Core;
using PartnerExchange.Cli.Input;
using PartnerExchange.Client;
using PartnerExchange.V1;

namespace PartnerExchange.Cli.Connection;

/// <summary>
/// One channel to the exchange, the project's own <see cref="PartnerExchangeClient"/>'s, with the operator key on
/// every call, the run's TLS settings and a per-call deadline. Only the client's raw generated clients are used:
/// an ops command is sent once, and its failure is reported as it came.
/// </summary>
internal sealed class ExchangeConnection : IDisposable
{
    private readonly Uri _address;
    private readonly HttpMessageHandler? _handler;
    private readonly PartnerExchangeClient _client;

    private ExchangeConnection(Uri address, string operatorKey, TimeSpan timeout, TransportSecurity security)
    {
        _address = address;
        Security = security;
        Address = address.OriginalString;
        Timeout = timeout;
        // Over http:// (h2c) the channel makes its own default handler, exactly as before TLS settings existed.
        _handler = UsesTls ? security.CreateHandler() : null;
        var options = new PartnerExchangeClientOptions
        {
            Address = address,
            ApiKey = operatorKey,
            // Only the client's typed methods use it; each call pxctl sends carries its own deadline (Call).
            Deadline = timeout < PartnerExchangeClientOptions.DeadlineMax ? timeout : PartnerExchangeClientOptions.DeadlineMax,
            MaxAttempts = 1,
        };
        _client = _handler is null ? new PartnerExchangeClient(options) : new PartnerExchangeClient(options, _handler);
        Admin = _client.Admin;
        Points = _client.Points;
        Events = _client.Events;
        Settlement = new SettlementService.SettlementServiceClient(_client.CallInvoker);
        Diagnostics = new DiagnosticsService.DiagnosticsServiceClient(_client.CallInvoker);
        Health = new Grpc.Health.V1.Health.HealthClient(_client.CallInvoker);
    }

    /// <summary>The exchange's address, as the user gave it.</summary>
    public string Address { get; }

    /// <summary>Longest time one call may take.</summary>
    public TimeSpan Timeout { get; }

    public AdminService.AdminServiceClient Admin { get; }

    public SettlementService.SettlementServiceClient Settlement { get; }

    /// <summary>Members' accounts and transactions, read with the operator key naming the program.</summary>
    public PointsService.PointsServiceClient Points { get; }

    /// <summary>The event stream of a program, read with the operator key naming it.</summary>
    public EventsService.EventsServiceClient Events { get; }

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
    /// The address is not an http(s) URL, the key is empty or not a key, TLS files are given for an http:// address,
    /// or they cannot be read.
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
        var security = TransportSecurity.Load(tls);
        try
        {
            return new ExchangeConnection(uri, operatorKey.Trim(), timeout, security);
        }
        catch (ArgumentException ex)
        {
            // The client's own checks (a key with spaces or control characters, say); its message never repeats the key.
            security.Dispose();
            throw new UsageException($"--key (PX_OPERATOR_KEY): {ex.Message}", ex);
        }
    }

    /// <summary>Options for one call: a deadline of <see cref="Timeout"/> from now, and cancellation. The client adds the key.</summary>
    public CallOptions Call(CancellationToken cancellationToken) =>
        new(deadline: DateTime.UtcNow + Timeout, cancellationToken: cancellationToken);

    public void Dispose()
    {
        _client.Dispose();
        _handler?.Dispose();
        Security.Dispose();
    }
}
