using PartnerExchange.Ledger.Commands;
using PartnerExchange.Server.Redis;
using StackExchange.Redis;

namespace PartnerExchange.Server.RateLimiting;

/// <summary>
/// Admits or refuses one request against a limit. The bucket lives in Redis, so every server shares it,
/// and one Lua script on Redis's own clock (TIME) decides in one round trip, so servers with skewed clocks
/// still agree. Whenever Redis does not answer in time, the same limit is applied by the in-process
/// <see cref="LocalRequestLimiter"/> instead: a call is never held up, nor let through unlimited, by Redis.
/// </summary>
internal sealed class RequestLimiter(RedisConnection redis, LocalRequestLimiter local)
{
    // KEYS[1] the bucket; ARGV[1] the interval, ARGV[2] the tolerance, both µs.
    // Returns {1, 0} when admitted, {0, wait µs} when refused.
    private const string Script = Gcra.LuaFunctions + """
        local wait = gcra_draw(KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]), gcra_now())
        if wait > 0 then
          return {0, wait}
        end
        return {1, 0}
        """;

    /// <summary>Draws one request from the bucket <c>kind:name</c> of <paramref name="principal"/>.</summary>
    public async Task<RateDecision> AcquireAsync(string principal, string kind, string name, RateLimit limit)
    {
        var gcra = Gcra.Of(limit);
        var key = redis.Key(principal, kind, name);
        var shared = await redis.TryAsync<RateDecision?>(
            async db => ToDecision(await db.ScriptEvaluateAsync(Script, [key], [gcra.IntervalUs, gcra.ToleranceUs]).ConfigureAwait(false)),
            null).ConfigureAwait(false);
        return shared ?? local.Acquire(key.ToString(), gcra);
    }

    /// <summary>The bucket's key in Redis.</summary>
    public RedisKey KeyOf(LimitBucket bucket) => redis.Key(bucket.Principal, bucket.Kind, bucket.Name);

    /// <summary>Draws one request from the bucket in the in-process limiter: the fallback when Redis did not answer.</summary>
    public RateDecision AcquireLocally(LimitBucket bucket) => local.Acquire(KeyOf(bucket).ToString(), Gcra.Of(bucket.Limit));

    private static RateDecision? ToDecision(RedisResult result)
    {
        if (result.Resp3Type != ResultType.Array || result.Length != 2)
        {
            return null;
        }
        return (long)result[0] == 1 ? RateDecision.Admitted : RateDecision.Refused((long)result[1]);
    }
}
