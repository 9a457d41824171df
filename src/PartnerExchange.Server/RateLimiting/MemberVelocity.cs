using Grpc.Core;
using Microsoft.Extensions.Options;
using PartnerExchange.Server.Security;

namespace PartnerExchange.Server.RateLimiting;

/// <summary>
/// The per-member velocity limit on accruals and conversions (<see cref="RateLimitOptions.MemberVelocity"/>):
/// one bucket per member of a partner (<c>px:{PARTNER}:vel:&lt;member&gt;</c>), on the same limiter as
/// the partner limits. Services call it after validation and before the idempotent write, so a refused
/// call is never recorded and a corrected retry with the same key runs.
/// </summary>
internal sealed partial class MemberVelocity(RequestLimiter limiter, IOptions<RateLimitOptions> options, ILogger<MemberVelocity> logger)
{
    /// <summary>The kind segment of member buckets.</summary>
    public const string KeyKind = "vel";

    /// <summary>Draws one accrual or conversion for the calling partner's member.</summary>
    /// <exception cref="RpcException">RESOURCE_EXHAUSTED, reason RATE_LIMITED, <c>limit_class=member_velocity</c>.</exception>
    public async Task CheckAsync(ServerCallContext context, string memberNumber)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentException.ThrowIfNullOrEmpty(memberNumber);
        var program = Caller.Of(context).Program;
        var limit = options.Value.MemberVelocity.ToLimit();
        var decision = await limiter.AcquireAsync(program, KeyKind, memberNumber, limit).ConfigureAwait(false);
        if (!decision.Allowed)
        {
            LogRefused(program, decision.RetryAfter.TotalMilliseconds);
            throw RateLimitErrors.MemberLimited(program, memberNumber, limit, decision.RetryAfter);
        }
    }

    // The member number stays out of the log: it identifies a person.
    [LoggerMessage(EventId = 4003, Level = LogLevel.Debug, Message = "A member of {Partner} is over the velocity limit; retry in {RetryAfterMs:0.0} ms")]
    private partial void LogRefused(string partner, double retryAfterMs);
}
