using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using PartnerExchange.Domain;

namespace PartnerExchange.Server.Errors;

/// <summary>
/// The one place a refusal becomes a gRPC error: a canonical code per reason, a google.rpc.ErrorInfo with
/// the stable reason, and a google.rpc.BadRequest for field violations.
/// </summary>
internal static class RpcErrors
{
    public const string Domain = "partnerexchange.net";

    public static Google.Rpc.Status ToStatus(Refusal refusal)
    {
        var info = new ErrorInfo { Reason = ErrorReasons.Code(refusal.Reason), Domain = Domain };
        foreach (var (key, value) in refusal.Metadata)
        {
            info.Metadata.Add(key, value);
        }
        var status = new Google.Rpc.Status
        {
            Code = (int)CodeFor(refusal.Reason),
            Message = MessageOf(refusal),
            Details = { Any.Pack(info) },
        };
        if (refusal.Violations.Count > 0)
        {
            var badRequest = new BadRequest();
            foreach (var violation in refusal.Violations)
            {
                badRequest.FieldViolations.Add(new BadRequest.Types.FieldViolation { Field = violation.Field, Description = violation.Description });
            }
            status.Details.Add(Any.Pack(badRequest));
        }
        return status;
    }

    /// <summary>
    /// The status message: the reason, then the first invalid field and what is wrong with it, or else the
    /// refusal's text — "INSUFFICIENT_POINTS: The member does not have enough points.", "VALIDATION_FAILED:
    /// points: must be positive (and 1 more invalid field)". Tools that show no google.rpc details still say why.
    /// </summary>
    public static string MessageOf(Refusal refusal)
    {
        ArgumentNullException.ThrowIfNull(refusal);
        var reason = ErrorReasons.Code(refusal.Reason);
        if (refusal.Violations.Count == 0)
        {
            return $"{reason}: {refusal.Message}";
        }
        var first = refusal.Violations[0];
        var more = refusal.Violations.Count - 1;
        var rest = more switch
        {
            0 => "",
            1 => " (and 1 more invalid field)",
            _ => string.Create(System.Globalization.CultureInfo.InvariantCulture, $" (and {more} more invalid fields)"),
        };
        return $"{reason}: {first.Field}: {first.Description}{rest}";
    }

    public static RpcException ToException(Refusal refusal) => ToStatus(refusal).ToRpcException();

    /// <summary>An error with retry advice (google.rpc.RetryInfo) for refusals a client should retry later.</summary>
    public static RpcException Retryable(ErrorReason reason, string message, TimeSpan retryAfter)
    {
        var status = ToStatus(Refusal.Of(reason, message));
        status.Details.Add(Any.Pack(new RetryInfo { RetryDelay = Duration.FromTimeSpan(retryAfter) }));
        return status.ToRpcException();
    }

    /// <summary>Turns a stored refusal back into the exception it was, byte for byte the same status.</summary>
    public static RpcException FromStored(byte[] payload) => Google.Rpc.Status.Parser.ParseFrom(payload).ToRpcException();

    public static byte[] Store(Refusal refusal) => ToStatus(refusal).ToByteArray();

    public static StatusCode CodeFor(ErrorReason reason) => reason switch
    {
        _ when ErrorReasons.IsInputError(reason) => StatusCode.InvalidArgument,
        ErrorReason.ApiKeyMissing or ErrorReason.ApiKeyInvalid => StatusCode.Unauthenticated,
        ErrorReason.OperatorKeyRequired or ErrorReason.PartnerKeyRequired => StatusCode.PermissionDenied,
        ErrorReason.PartnerNotFound or ErrorReason.MemberNotFound or ErrorReason.DestinationMemberNotFound
            or ErrorReason.TransactionNotFound or ErrorReason.ApiKeyNotFound or ErrorReason.PeriodNotFound
            or ErrorReason.StatementNotFound or ErrorReason.ServiceNotFound => StatusCode.NotFound,
        ErrorReason.ProgramCodeTaken or ErrorReason.MemberAlreadyEnrolled => StatusCode.AlreadyExists,
        ErrorReason.PartnerSuspended or ErrorReason.InsufficientPoints or ErrorReason.BalanceOverflow
            or ErrorReason.RateNotConfigured or ErrorReason.BelowMinimum or ErrorReason.AboveMaximum
            or ErrorReason.NotAnIncrement or ErrorReason.QuoteExpired or ErrorReason.AlreadyReversed
            or ErrorReason.NotReversible or ErrorReason.IdempotencyKeyReused
            or ErrorReason.RateAllowsArbitrage or ErrorReason.PeriodOverlaps or ErrorReason.PeriodNotEnded
            or ErrorReason.Overpayment => StatusCode.FailedPrecondition,
        ErrorReason.RequestInProgress => StatusCode.Aborted,
        ErrorReason.RateLimited or ErrorReason.TooManyStreams or ErrorReason.RequestTooLarge => StatusCode.ResourceExhausted,
        ErrorReason.ExchangeBusy => StatusCode.Unavailable,
        ErrorReason.CursorExpired => StatusCode.OutOfRange,
        _ => StatusCode.Internal,
    };
}
