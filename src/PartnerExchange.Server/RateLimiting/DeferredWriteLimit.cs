using Grpc.Core;

namespace PartnerExchange.Server.RateLimiting;

/// <summary>
/// A partner's writes bucket, left by the rate-limit step to the write path so a valid write draws it in the
/// same round trip as its velocity and idempotency key. Whoever takes it draws it, once: the write path, or
/// the rate-limit step after a call that failed before its write (bad input, say), since every call counts.
/// </summary>
internal sealed class DeferredWriteLimit(LimitBucket bucket)
{
    private const string UserStateKey = "partnerexchange.deferred-write-limit";
    private int _taken;

    public void AttachTo(ServerCallContext context) => context.UserState[UserStateKey] = this;

    /// <summary>The bucket, to the first caller only; null after.</summary>
    public LimitBucket? Take() => Interlocked.Exchange(ref _taken, 1) == 0 ? bucket : null;

    /// <summary>The call's deferred bucket when it has one not taken yet.</summary>
    public static LimitBucket? TakeFrom(ServerCallContext context) =>
        context.UserState.TryGetValue(UserStateKey, out var deferred) ? ((DeferredWriteLimit)deferred).Take() : null;
}
