using Grpc.Core;
using PartnerExchange.Cli.Output;
using PartnerExchange.Client;

namespace PartnerExchange.Cli.Connection;

/// <summary>
/// Turns a failed call into what an operator needs: one line with the gRPC code and the stable reason, then the
/// field violations and error metadata, one per line. Never a stack trace.
/// </summary>
internal static class ErrorReport
{
    // Codes after which a mutation may or may not have happened: repeating it with the same key is the safe retry.
    private static readonly HashSet<StatusCode> UnknownOutcome =
        [StatusCode.Unavailable, StatusCode.DeadlineExceeded, StatusCode.Internal, StatusCode.Unknown, StatusCode.Aborted, StatusCode.Cancelled];

    /// <summary>Writes the report of a failed call to <paramref name="stderr"/>.</summary>
    /// <param name="stderr">Where the report goes.</param>
    /// <param name="exception">The failed call.</param>
    /// <param name="exchange">The connection it was made on (for its address and timeout).</param>
    /// <param name="idempotencyKey">The key of a mutation, or <see langword="null"/> for a read.</param>
    /// <param name="currencyCode">The currency of the command's money, when known: metadata in minor units show in it.</param>
    public static void Write(TextWriter stderr, RpcException exception, ExchangeConnection exchange, string? idempotencyKey, string? currencyCode = null)
    {
        var details = new PartnerExchangeException(exception);
        stderr.WriteLine(Headline(exception, details, exchange));
        foreach (var (field, description) in details.FieldViolations)
        {
            stderr.WriteLine($"  {field}: {description}");
        }
        foreach (var (name, value) in details.Metadata.OrderBy(entry => entry.Key, StringComparer.Ordinal))
        {
            stderr.WriteLine(MetadataLine(name, value, currencyCode));
        }
        if (details.RetryAfter is { } retryAfter)
        {
            stderr.WriteLine($"  retry after {retryAfter.TotalSeconds:0.###}s");
        }
        if (idempotencyKey is not null && UnknownOutcome.Contains(exception.StatusCode))
        {
            stderr.WriteLine(
                $"  the outcome is unknown; repeat the command with --idempotency-key {ShellWord(idempotencyKey)} to retry safely");
        }
    }

    /// <summary>
    /// One metadata entry; an amount in minor units (a name ending in <c>_minor</c>, such as OVERPAYMENT's
    /// <c>outstanding_minor</c>) as an amount with its currency when that is known.
    /// </summary>
    private static string MetadataLine(string name, string value, string? currencyCode)
    {
        const string minorSuffix = "_minor";
        if (currencyCode is not null && name.EndsWith(minorSuffix, StringComparison.Ordinal)
            && long.TryParse(value, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var amountMinor))
        {
            return $"  {name[..^minorSuffix.Length]} = {Display.Minor(amountMinor, currencyCode)}";
        }
        return $"  {name} = {value}";
    }

    /// <summary>A key as a shell takes it back as one word: quoted when it holds a space or a character a shell reads.</summary>
    internal static string ShellWord(string text) =>
        text.Length > 0 && text.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':' or '/' or '@' or '+' or ',' or '=')
            ? text
            : $"'{text.Replace("'", "'\\''", StringComparison.Ordinal)}'";

    private static string Headline(RpcException exception, PartnerExchangeException details, ExchangeConnection exchange)
    {
        // No reason means no exchange answered; over TLS the handshake may be why, which the transport does not say plainly.
        if (details.Reason.Length == 0 && TlsFailure.Explain(exception, exchange) is { } tlsFailure)
        {
            return tlsFailure;
        }
        var detail = exception.Status.Detail;
        return (exception.StatusCode, details.Reason) switch
        {
            // No reason means no exchange answered: the connection failed before any server logic ran.
            (StatusCode.Unavailable, "") =>
                $"error: cannot reach the exchange at {exchange.Address}: {exception.Status.DebugException?.Message ?? detail}",
            (StatusCode.DeadlineExceeded, "") =>
                $"error: the exchange at {exchange.Address} did not answer within {exchange.Timeout.TotalSeconds:0.###}s (DEADLINE_EXCEEDED); raise --timeout or retry",
            (StatusCode.Unauthenticated, "API_KEY_INVALID") => "error: the operator key was refused (API_KEY_INVALID)",
            (StatusCode.Unauthenticated, "API_KEY_MISSING") => "error: no operator key reached the exchange (API_KEY_MISSING)",
            (StatusCode.PermissionDenied, "OPERATOR_KEY_REQUIRED") =>
                "error: the key is a partner key; pxctl needs an operator key (OPERATOR_KEY_REQUIRED)",
            (StatusCode.Unimplemented, _) =>
                $"error: UNIMPLEMENTED: the exchange at {exchange.Address} does not offer this call yet: {detail}",
            (var code, "") => $"error: {Display.UpperSnake(code.ToString())}: {detail}",
            var (code, reason) => $"error: {Display.UpperSnake(code.ToString())} {reason}: {details.Explanation}",
        };
    }
}
