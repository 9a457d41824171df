using System.Security.Authentication;
using Grpc.Core;

namespace PartnerExchange.Cli.Connection;

/// <summary>
/// Says in words why a call failed in setting up TLS with the exchange. The transport's own errors do not: a refused
/// server certificate reads "rejected by the provided callback", and a refused client certificate only shows as a
/// connection closed before HTTP/2 began.
/// </summary>
internal static class TlsFailure
{
    /// <summary>The headline of a call that failed in setting up TLS; <see langword="null"/> when it failed otherwise.</summary>
    /// <param name="exception">The failed call, which no exchange logic answered.</param>
    /// <param name="exchange">The connection it was made on.</param>
    public static string? Explain(RpcException exception, ExchangeConnection exchange)
    {
        if (!exchange.UsesTls)
        {
            return null;
        }
        if (exchange.Security.ServerCertificate.Refusal is { } refusal)
        {
            return $"error: the exchange at {exchange.Address} presented a certificate pxctl does not trust: {refusal}";
        }
        var causes = Causes(exception.Status.DebugException).ToList();
        if (IsClosedAfterHandshake(exchange.Security, causes))
        {
            return exchange.Security.PresentsClientCertificate
                ? $"error: the exchange at {exchange.Address} closed the connection right after the TLS handshake: it most likely refused "
                    + "the client certificate; --client-cert must be issued by an authority the exchange trusts (its PX_TLS_CLIENT_CA)"
                : $"error: the exchange at {exchange.Address} closed the connection right after the TLS handshake: it most likely requires "
                    + "a client certificate (mutual TLS); pass --client-cert and --client-key (PX_CLIENT_CERT, PX_CLIENT_KEY)";
        }
        if (causes.Any(cause => cause is AuthenticationException or HttpRequestException { HttpRequestError: HttpRequestError.SecureConnectionError }))
        {
            return $"error: the TLS handshake with the exchange at {exchange.Address} failed: {causes[^1].Message}";
        }
        return null;
    }

    /// <summary>
    /// pxctl finished its side of a TLS handshake, yet the exchange never answered and the connection failed. With
    /// TLS 1.3 the server judges the client certificate after that point, and a refusal reaches the client only as a
    /// connection closed before HTTP/2 began (reported in more than one way, hence no finer test).
    /// </summary>
    private static bool IsClosedAfterHandshake(TransportSecurity security, List<Exception> causes) =>
        security.ServerCertificate.HasAccepted && !security.ExchangeHasAnswered && causes.Any(cause => cause is HttpRequestException);

    private static IEnumerable<Exception> Causes(Exception? exception)
    {
        for (var cause = exception; cause is not null; cause = cause.InnerException)
        {
            yield return cause;
        }
    }
}
