using PartnerExchange.Ledger.Writing;
using PartnerExchange.Server.RateLimiting;
using PartnerExchange.Server.Redis;

namespace PartnerExchange.Server.Writes;

/// <summary>
/// Lets a write in, in one Redis round trip before the ledger: the partner's writes bucket (left to the
/// write path by the rate-limit step, <see cref="DeferredWriteLimit"/>), then the member's velocity bucket when the RPC has one, then the
/// idempotency claim. A refusal by either bucket stops there, so it never claims the key and is never
/// recorded. When Redis does not answer, the same buckets are drawn from the in-process limiter and the
/// ledger's guard alone decides idempotency, exactly as when each step went to Redis on its own.
/// </summary>
internal sealed class WriteAdmission(IdempotencyCache cache, RequestLimiter limiter)
{
    /// <summary>The key's state for this request; throws RATE_LIMITED when a bucket refuses.</summary>
    public async Task<KeyLookup> AdmitAsync(IdempotencyScope scope, LimitBucket? partner, LimitBucket? velocity)
    {
        var buckets = Buckets(partner, velocity);
        var keyed = buckets.Count == 0 ? [] : buckets.Select(b => (limiter.KeyOf(b), Gcra.Of(b.Limit))).ToArray();
        var lookup = await cache.BeginAsync(scope, keyed).ConfigureAwait(false);
        if (lookup.State == KeyState.Limited)
        {
            throw buckets[lookup.RefusingBucket].Refuse(TimeSpan.FromMicroseconds(lookup.WaitUs));
        }
        if (lookup.State == KeyState.Unknown)
        {
            foreach (var bucket in buckets)
            {
                var decision = limiter.AcquireLocally(bucket);
                if (!decision.Allowed)
                {
                    throw bucket.Refuse(decision.RetryAfter);
                }
            }
        }
        return lookup;
    }

    private static List<LimitBucket> Buckets(LimitBucket? partner, LimitBucket? velocity)
    {
        var buckets = new List<LimitBucket>(2);
        if (partner is not null)
        {
            buckets.Add(partner);
        }
        if (velocity is not null)
        {
            buckets.Add(velocity);
        }
        return buckets;
    }
}
