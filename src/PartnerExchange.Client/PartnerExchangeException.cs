using System.Collections.ObjectModel;
using Google.Protobuf;
using Google.Rpc;
using Grpc.Core;

namespace PartnerExchange.Client;

/// <summary>
/// A call to PartnerExchange failed with a gRPC status: the server refused it (insufficient points, bad input,
/// a missing member…) or could not be reached within the operation's deadline and retries.
/// </summary>
/// <remarks>
/// Match on <see cref="StatusCode"/> and <see cref="Reason"/>, never on the message text. The reasons are
/// documented in <c>common.proto</c> (the <c>ErrorReason</c> value names without their <c>ERROR_REASON_</c>
/// prefix). The original <see cref="RpcException"/> is the <see cref="Exception.InnerException"/>.
/// </remarks>
public sealed class PartnerExchangeException : Exception
{
    /// <summary>
    /// Reads the status code and the google.rpc error details (ErrorInfo, BadRequest, RetryInfo) of a failed
    /// call. Use it to get the same typed view of errors thrown by the raw generated clients.
    /// </summary>
    /// <param name="rpcException">The failed call's exception.</param>
    public PartnerExchangeException(RpcException rpcException)
        : this(rpcException, idempotencyKey: "")
    {
    }

    internal PartnerExchangeException(RpcException rpcException, string idempotencyKey)
        : this(
            rpcException ?? throw new ArgumentNullException(nameof(rpcException)),
            ErrorDetails.Read(rpcException),
            idempotencyKey)
    {
    }

    private PartnerExchangeException(RpcException rpcException, ErrorDetails details, string idempotencyKey)
        : base(FormatMessage(rpcException, details), rpcException)
    {
        IdempotencyKey = idempotencyKey;
        StatusCode = rpcException.StatusCode;
        Reason = details.Reason;
        Metadata = details.Metadata;
        FieldViolations = details.FieldViolations;
        RetryAfter = details.RetryAfter;
        Explanation = ExplanationOf(rpcException.Status.Detail, details.Reason);
    }

    /// <summary>
    /// The server's human-readable explanation: the status message without the reason the server puts in front of
    /// it (<c>"INSUFFICIENT_POINTS: "</c>). For people, never to be parsed; match on <see cref="Reason"/>.
    /// </summary>
    public string Explanation { get; }

    /// <summary>
    /// The idempotency key the failed mutation was sent with, also when the client generated it; empty for
    /// reads and for exceptions made from a raw call's <see cref="RpcException"/>.
    /// </summary>
    /// <remarks>
    /// After DEADLINE_EXCEEDED, UNAVAILABLE or INTERNAL the mutation may or may not have happened. Repeat it with
    /// this key to find out: the server replays the first outcome and never applies the operation twice.
    /// </remarks>
    public string IdempotencyKey { get; }

    /// <summary>The canonical gRPC status code, e.g. <see cref="StatusCode.FailedPrecondition"/>.</summary>
    public StatusCode StatusCode { get; }

    /// <summary>
    /// The stable reason from google.rpc.ErrorInfo, e.g. <c>"INSUFFICIENT_POINTS"</c>; empty when the status
    /// carried none (for example when the server could not be reached at all).
    /// </summary>
    public string Reason { get; }

    /// <summary>
    /// The google.rpc.ErrorInfo metadata, e.g. <c>balance_points</c> and <c>required_points</c> for
    /// INSUFFICIENT_POINTS; empty when there is none.
    /// </summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>
    /// The google.rpc.BadRequest field violations of an INVALID_ARGUMENT error, one per bad field, with the
    /// field's proto name; empty when there are none.
    /// </summary>
    public IReadOnlyList<(string Field, string Description)> FieldViolations { get; }

    /// <summary>
    /// How long the server asked the caller to wait before trying again (google.rpc.RetryInfo), or
    /// <see langword="null"/> when it did not say.
    /// </summary>
    public TimeSpan? RetryAfter { get; }

    private static string FormatMessage(RpcException rpcException, ErrorDetails details)
    {
        var reason = details.Reason.Length == 0 ? "" : $" {details.Reason}";
        // Every field violation, when there are any: the server's message names only the first.
        var text = details.FieldViolations.Count > 0
            ? string.Join("; ", details.FieldViolations.Select(v => $"{v.Field}: {v.Description}"))
            : ExplanationOf(rpcException.Status.Detail, details.Reason);
        return $"{rpcException.StatusCode}{reason}: {text}";
    }

    /// <summary>The status message without its leading "REASON: " (servers before 2026-12 sent none).</summary>
    private static string ExplanationOf(string statusMessage, string reason) =>
        reason.Length > 0 && statusMessage.Length > reason.Length + 2 && statusMessage.StartsWith(reason, StringComparison.Ordinal)
            && statusMessage.AsSpan(reason.Length).StartsWith(": ", StringComparison.Ordinal)
            ? statusMessage[(reason.Length + 2)..]
            : statusMessage;

    /// <summary>The error details of one status, read all at once so a garbled trailer yields none, not half.</summary>
    private sealed record ErrorDetails(
        string Reason,
        IReadOnlyDictionary<string, string> Metadata,
        IReadOnlyList<(string Field, string Description)> FieldViolations,
        TimeSpan? RetryAfter)
    {
        private static ErrorDetails None { get; } = new("", ReadOnlyDictionary<string, string>.Empty, [], null);

        public static ErrorDetails Read(RpcException rpcException)
        {
            try
            {
                var status = rpcException.GetRpcStatus();
                return status is null ? None : FromStatus(status);
            }
            // A proxy between client and server may send a status without or with malformed details. The
            // status code still stands, so the caller gets it without details rather than a parsing error.
            catch (Exception ex) when (ex is InvalidProtocolBufferException or InvalidOperationException)
            {
                return None;
            }
        }

        private static ErrorDetails FromStatus(Google.Rpc.Status status)
        {
            var errorInfo = status.GetDetail<ErrorInfo>();
            var badRequest = status.GetDetail<BadRequest>();
            var retryDelay = status.GetDetail<RetryInfo>()?.RetryDelay?.ToTimeSpan();
            return new ErrorDetails(
                errorInfo?.Reason ?? "",
                errorInfo is null
                    ? ReadOnlyDictionary<string, string>.Empty
                    : new Dictionary<string, string>(errorInfo.Metadata).AsReadOnly(),
                badRequest is null
                    ? []
                    : badRequest.FieldViolations.Select(v => (v.Field, v.Description)).ToList().AsReadOnly(),
                // A negative delay means "now"; it must not reach Task.Delay, which rejects it.
                retryDelay < TimeSpan.Zero ? TimeSpan.Zero : retryDelay);
        }
    }
}
