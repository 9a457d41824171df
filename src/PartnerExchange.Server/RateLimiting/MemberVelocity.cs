using Grpc.Core;
using Microsoft.Extensions.Options;
using PartnerExchange.Server.Security;

namespace PartnerExchange.Server.RateLimiting;

/// <summary>
/// The per-member velocity limit on accruals and conversions (<see cref="RateLimitOptions.MemberVelocity"/>):
/// one bucket per member of a partner (<c>px:{PARTNER}:vel:&lt;member&gt;</c>), on the same limiter as
/// the partner limits. Services name the bucket after validation and the write path draws it, with the
/// partner's writes bucket and before claiming the idempotency key, so a refused call is never recorded
/// and a corrected retry with the same key runs.
/// </summary>
internal sealed partial class MemberVelocity(IOptions<RateLimitOptions> options, ILogger<MemberVelocity> logger)
{
    /// <summary>The kind segment of member buckets.</summary>
    public const string KeyKind = "vel";

    /// <summary>
    /// The bucket of the calling partner's member; refused with RESOURCE_EXHAUSTED, reason RATE_LIMITED,
    /// <c>limit_class=member_velocity</c>.
    /// </summary>
    public LimitBucket Bucket(ServerCallContext context, string memberNumber)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentException.ThrowIfNullOrEmpty(memberNumber);
        var program = Caller.Of(context).Program;
        var limit = options.Value.MemberVelocity.ToLimit();
        return new LimitBucket(program, KeyKind, memberNumber, limit, retryAfter =>
        {
            LogRefused(program, retryAfter.TotalMilliseconds);
            return RateLimitErrors.MemberLimited(program, memberNumber, limit, retryAfter);
        });
    }

    // The member number stays out of the log: it identifies a person.
    [LoggerMessage(EventId = 4003, Level = LogLevel.Debug, Message = "A member of {Partner} is over the velocity limit; retry in {RetryAfterMs:0.0} ms")]
    private partial void LogRefused(string partner, double retryAfterMs);
}
