using Grpc.Core;
using Microsoft.Extensions.Options;
using PartnerExchange.Ledger.Commands;
using PartnerExchange.Server.Hosting;
using PartnerExchange.Server.Policy;
using PartnerExchange.Server.Security;

namespace PartnerExchange.Server.RateLimiting;

/// <summary>
/// The rate limit step, right after authentication and before the service, so a refused call does no
/// validation, idempotency or ledger work and is never recorded. Each partner draws from its own bucket
/// per method class (its policy's); operators are limited only when configured; anonymous RPCs (health,
/// reflection) are not limited. A partner's writes are the exception to "before the service": their bucket
/// is left to the write path, which draws it in the same Redis round trip as the member's velocity and the idempotency claim (still
/// before any idempotency or ledger work). A write that fails before reaching that point (bad input, a bad
/// quote) draws it here afterwards, and is refused RATE_LIMITED instead when over the limit.
/// </summary>
internal sealed partial class RateLimitInterceptor(
    RequestLimiter limiter, PartnerLimits partnerLimits, RpcPolicies policies, IOptions<RateLimitOptions> options,
    ILogger<RateLimitInterceptor> logger)
    : CallStepInterceptor
{
    /// <summary>The kind segment of bucket keys: <c>px:{PARTNER}:rl:&lt;class&gt;</c>.</summary>
    public const string KeyKind = "rl";

    private static readonly string WritesName = LimitClasses.Name(LimitClass.Writes);

    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(continuation);
        if (Caller.TryOf(context) is not { Role: ApiKeyRole.Partner, ProgramCode: { } program }
            || !policies.Of(context.Method).IsWrite)
        {
            return await base.UnaryServerHandler(request, context, continuation).ConfigureAwait(false);
        }
        var limit = await partnerLimits.ForAsync(program, LimitClass.Writes, context.CancellationToken).ConfigureAwait(false);
        var deferred = new DeferredWriteLimit(ClassBucket(program, program, WritesName, limit));
        deferred.AttachTo(context);
        TResponse response;
        try
        {
            response = await continuation(request, context).ConfigureAwait(false);
        }
        catch (Exception)
        {
            if (deferred.Take() is { } bucket)
            {
                await DrawAsync(bucket).ConfigureAwait(false);
            }
            throw;
        }
        if (deferred.Take() is { } undrawn)
        {
            // A write RPC that answered without the write path is a wiring bug. The call still counts, but
            // its answer stands: refusing now would hide a write that already happened.
            LogUndrawn(context.Method);
            await limiter.AcquireAsync(undrawn.Principal, undrawn.Kind, undrawn.Name, undrawn.Limit).ConfigureAwait(false);
        }
        return response;
    }

    protected override async Task BeforeCallAsync(ServerCallContext context)
    {
        // Anonymous RPCs (health, reflection) have no caller.
        var caller = Caller.TryOf(context);
        if (caller is null || (caller.Role == ApiKeyRole.Operator && !options.Value.LimitOperators))
        {
            return;
        }
        var limitClass = caller.Role == ApiKeyRole.Operator
            ? LimitClass.Operators
            : policies.Of(context.Method).LimitClass ?? throw new InvalidOperationException($"{context.Method} has no limit class.");
        var limit = caller.ProgramCode is { } program
            ? await partnerLimits.ForAsync(program, limitClass, context.CancellationToken).ConfigureAwait(false)
            : options.Value.DefaultFor(limitClass);
        await DrawAsync(ClassBucket(caller.Principal, caller.ProgramCode, LimitClasses.Name(limitClass), limit)).ConfigureAwait(false);
    }

    private async Task DrawAsync(LimitBucket bucket)
    {
        var decision = await limiter.AcquireAsync(bucket.Principal, bucket.Kind, bucket.Name, bucket.Limit).ConfigureAwait(false);
        if (!decision.Allowed)
        {
            throw bucket.Refuse(decision.RetryAfter);
        }
    }

    /// <summary>The bucket of a partner's class, or the operators' when <paramref name="programCode"/> is null.</summary>
    private LimitBucket ClassBucket(string principal, string? programCode, string className, RateLimit limit) =>
        new(principal, KeyKind, className, limit, retryAfter =>
        {
            LogRefused(principal, className, retryAfter.TotalMilliseconds);
            return RateLimitErrors.ClassLimited(programCode, className, limit, retryAfter);
        });

    [LoggerMessage(EventId = 4004, Level = LogLevel.Critical,
        Message = "{Method} is a write RPC that answered without drawing its writes bucket; route it through IdempotentWrites")]
    private partial void LogUndrawn(string method);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Debug, Message = "{Principal} is over its {LimitClass} limit; retry in {RetryAfterMs:0.0} ms")]
    private partial void LogRefused(string principal, string limitClass, double retryAfterMs);
}
