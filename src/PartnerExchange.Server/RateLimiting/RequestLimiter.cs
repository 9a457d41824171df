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
    // KEYS[1] the bucket; ARGV[1] the interval, ARGV[2] the tolerance, both µs. The bucket holds its TAT
    // in µs of Redis time and expires when it is full again, so idle partners and members cost nothing.
    // Returns {1, 0} when admitted, {0, wait µs} when refused. Integers up to 2^53 are exact in Lua.
    // TIME before a write needs effects replication, the default since Redis 5.
    private const string Script = """
        local time = redis.call('TIME')
        local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
        local interval = tonumber(ARGV[1])
        local tolerance = tonumber(ARGV[2])
        local tat = tonumber(redis.call('GET', KEYS[1]) or now)
        if tat < now then
          tat = now
        end
        local new_tat = tat + interval
        local wait = new_tat - tolerance - now
        if wait > 0 then
          return {0, wait}
        end
        redis.call('SET', KEYS[1], string.format('%.0f', new_tat), 'PX', math.ceil((new_tat - now) / 1000))
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

    private static RateDecision? ToDecision(RedisResult result)
    {
        if (result.Resp3Type != ResultType.Array || result.Length != 2)
        {
            return null;
        }
        return (long)result[0] == 1 ? RateDecision.Admitted : RateDecision.Refused((long)result[1]);
    }
}
