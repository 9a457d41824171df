using Grpc.Core;
using Microsoft.Extensions.Options;
using PartnerExchange.Ledger.Commands;
using PartnerExchange.Server.Hosting;
using PartnerExchange.Server.Security;

namespace PartnerExchange.Server.RateLimiting;

/// <summary>
/// The rate limit step, right after authentication and before the service, so a refused call does no
/// validation, idempotency or ledger work and is never recorded. Each partner draws from its own bucket
/// per method class; operators are limited only when configured; health and reflection are not limited.
/// </summary>
internal sealed partial class RateLimitInterceptor(
    RequestLimiter limiter, PartnerLimits partnerLimits, IOptions<RateLimitOptions> options, ILogger<RateLimitInterceptor> logger)
    : CallStepInterceptor
{
    /// <summary>The kind segment of bucket keys: <c>px:{PARTNER}:rl:&lt;class&gt;</c>.</summary>
    public const string KeyKind = "rl";

    protected override async Task BeforeCallAsync(ServerCallContext context)
    {
        // Only the exchange's own services authenticate a caller; health and reflection have none.
        var caller = Caller.TryOf(context);
        if (caller is null || (caller.Role == ApiKeyRole.Operator && !options.Value.LimitOperators))
        {
            return;
        }
        var limitClass = caller.Role == ApiKeyRole.Operator ? LimitClass.Operators : MethodClasses.Of(context.Method);
        var limit = caller.ProgramCode is { } program
            ? await partnerLimits.ForAsync(program, limitClass, context.CancellationToken).ConfigureAwait(false)
            : options.Value.DefaultFor(limitClass);
        var className = MethodClasses.Name(limitClass);
        var decision = await limiter.AcquireAsync(caller.Principal, KeyKind, className, limit).ConfigureAwait(false);
        if (!decision.Allowed)
        {
            LogRefused(caller.Principal, className, decision.RetryAfter.TotalMilliseconds);
            throw RateLimitErrors.ClassLimited(caller.ProgramCode, className, limit, decision.RetryAfter);
        }
    }

    [LoggerMessage(EventId = 4002, Level = LogLevel.Debug, Message = "{Principal} is over its {LimitClass} limit; retry in {RetryAfterMs:0.0} ms")]
    private partial void LogRefused(string principal, string limitClass, double retryAfterMs);
}
