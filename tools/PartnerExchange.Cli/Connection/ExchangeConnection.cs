using Grpc.Core;
using Grpc.Net.Client;
using PartnerExchange.Cli.Input;
using PartnerExchange.V1;

namespace PartnerExchange.Cli.Connection;

/// <summary>
/// One channel to the exchange with the operator key and a per-call deadline. The key travels in the
/// <c>authorization</c> header of each call's options rather than in an interceptor, so it is never held
/// anywhere that might print it.
/// </summary>
internal sealed class ExchangeConnection : IDisposable
{
    private readonly GrpcChannel _channel;
    private readonly Metadata _headers;

    private ExchangeConnection(Uri address, string operatorKey, TimeSpan timeout)
    {
        Address = address.OriginalString;
        Timeout = timeout;
        _headers = new Metadata { { "authorization", $"Bearer {operatorKey}" } };
        _channel = GrpcChannel.ForAddress(address);
        Admin = new AdminService.AdminServiceClient(_channel);
        Settlement = new SettlementService.SettlementServiceClient(_channel);
    }

    /// <summary>The exchange's address, as the user gave it.</summary>
    public string Address { get; }

    /// <summary>Longest time one call may take.</summary>
    public TimeSpan Timeout { get; }

    public AdminService.AdminServiceClient Admin { get; }

    public SettlementService.SettlementServiceClient Settlement { get; }

    /// <summary>Opens a channel (lazily: nothing is sent until the first call).</summary>
    /// <exception cref="UsageException">The address is not an http(s) URL or the key is empty.</exception>
    public static ExchangeConnection Open(string address, string? operatorKey, TimeSpan timeout)
    {
        if (!Uri.TryCreate(address, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw new UsageException($"--address '{address}' is not an http:// or https:// address, e.g. http://127.0.0.1:5080.");
        }
        if (string.IsNullOrWhiteSpace(operatorKey))
        {
            throw new UsageException("no operator key: pass --key or set PX_OPERATOR_KEY.");
        }
        return new ExchangeConnection(uri, operatorKey.Trim(), timeout);
    }

    /// <summary>Options for one call: the key, a deadline of <see cref="Timeout"/> from now, and cancellation.</summary>
    public CallOptions Call(CancellationToken cancellationToken) =>
        new(headers: _headers, deadline: DateTime.UtcNow + Timeout, cancellationToken: cancellationToken);

    public void Dispose() => _channel.Dispose();
}
