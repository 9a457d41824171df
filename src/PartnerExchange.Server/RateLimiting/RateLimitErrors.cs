using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using PartnerExchange.Domain;
using PartnerExchange.Ledger.Commands;
using PartnerExchange.Server.Errors;

namespace PartnerExchange.Server.RateLimiting;

/// <summary>
/// The RATE_LIMITED error: RESOURCE_EXHAUSTED with an ErrorInfo (reason RATE_LIMITED; metadata
/// <c>limit_class</c>, <c>requests_per_second</c>, <c>burst</c>), a RetryInfo with the wait before a retry
/// can succeed, and a QuotaFailure naming the exhausted bucket.
/// </summary>
internal static class RateLimitErrors
{
    public const string MemberVelocityClass = "member_velocity";

    /// <summary>A partner's bucket of one class is empty, or the operators' when <paramref name="programCode"/> is null.</summary>
    public static RpcException ClassLimited(string? programCode, string limitClass, RateLimit limit, TimeSpan retryAfter) =>
        Build(
            $"The request rate for {limitClass} is exceeded; retry after the delay in RetryInfo.",
            limitClass, limit, retryAfter,
            subject: programCode is null ? limitClass : $"partner:{programCode}/{limitClass}",
            description: Describe($"{limitClass} requests", limit));

    /// <summary>One member's accruals and conversions came too fast.</summary>
    public static RpcException MemberLimited(string programCode, string memberNumber, RateLimit limit, TimeSpan retryAfter) =>
        Build(
            "Accruals and conversions for this member come too fast; retry after the delay in RetryInfo.",
            MemberVelocityClass, limit, retryAfter,
            subject: $"partner:{programCode}/{MemberVelocityClass}/{memberNumber}",
            description: Describe("accruals and conversions per member", limit));

    private static RpcException Build(
        string message, string limitClass, RateLimit limit, TimeSpan retryAfter, string subject, string description)
    {
        var refusal = Refusal.Of(ErrorReason.RateLimited, message,
            ("limit_class", limitClass),
            ("requests_per_second", limit.RequestsPerSecond.ToString(CultureInfo.InvariantCulture)),
            ("burst", limit.Burst.ToString(CultureInfo.InvariantCulture)));
        var status = RpcErrors.ToStatus(refusal);
        status.Details.Add(Any.Pack(new RetryInfo { RetryDelay = Duration.FromTimeSpan(retryAfter) }));
        status.Details.Add(Any.Pack(new QuotaFailure
        {
            Violations = { new QuotaFailure.Types.Violation { Subject = subject, Description = description } },
        }));
        return status.ToRpcException();
    }

    private static string Describe(string what, RateLimit limit) =>
        string.Create(CultureInfo.InvariantCulture, $"At most {limit.RequestsPerSecond} {what} per second, in bursts of up to {limit.Burst}.");
}
