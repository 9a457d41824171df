using PartnerExchange.Ledger.Commands;

namespace PartnerExchange.Server.RateLimiting;

/// <summary>
/// A limit in the terms of GCRA (the generic cell rate algorithm), in whole microseconds: each admitted
/// request moves the bucket's theoretical arrival time (TAT) one <see cref="IntervalUs"/> ahead, and a
/// request is admitted while that stays within <see cref="ToleranceUs"/> of now. A quiet bucket so admits
/// <c>burst</c> requests at once, and over any window of length t at most <c>rate × t + burst</c>.
/// The Redis script and the local limiter run exactly this; only the clock differs.
/// </summary>
internal readonly record struct Gcra(long IntervalUs, long ToleranceUs)
{
    /// <summary>
    /// <see cref="Decide"/> in Lua, for the scripts that draw from buckets in Redis: <c>gcra_now()</c> is Redis's
    /// clock in µs, and <c>gcra_draw(key, interval, tolerance, now)</c> admits one request (storing the new
    /// TAT, expiring when the bucket is full again, so idle buckets cost nothing) and returns 0, or returns
    /// the wait in µs and changes nothing. Integers up to 2^53 are exact in Lua. TIME before a write needs
    /// effects replication, the default since Redis 5.
    /// </summary>
    public const string LuaFunctions = """
        local function gcra_now()
          local time = redis.call('TIME')
          return tonumber(time[1]) * 1000000 + tonumber(time[2])
        end
        local function gcra_draw(key, interval, tolerance, now)
          local tat = tonumber(redis.call('GET', key) or now)
          if tat < now then
            tat = now
          end
          local new_tat = tat + interval
          local wait = new_tat - tolerance - now
          if wait > 0 then
            return wait
          end
          redis.call('SET', key, string.format('%.0f', new_tat), 'PX', math.ceil((new_tat - now) / 1000))
          return 0
        end

        """;

    private const long MicrosPerSecond = 1_000_000;

    /// <summary>
    /// The interval rounds up, so rounding can only make the limit stricter, never admit more than the rate.
    /// </summary>
    public static Gcra Of(RateLimit limit)
    {
        ArgumentNullException.ThrowIfNull(limit);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit.RequestsPerSecond, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit.Burst, 1);
        var intervalUs = (MicrosPerSecond + limit.RequestsPerSecond - 1) / limit.RequestsPerSecond;
        return new Gcra(intervalUs, intervalUs * limit.Burst);
    }

    /// <summary>
    /// One request at <paramref name="nowUs"/> against a bucket whose TAT is <paramref name="tatUs"/>:
    /// the new TAT when admitted, or how long to wait (µs) before it would be.
    /// </summary>
    public (bool Allowed, long NewTatUs, long WaitUs) Decide(long tatUs, long nowUs)
    {
        var newTatUs = Math.Max(tatUs, nowUs) + IntervalUs;
        var waitUs = newTatUs - ToleranceUs - nowUs;
        return waitUs > 0 ? (false, tatUs, waitUs) : (true, newTatUs, 0);
    }
}

/// <summary>A limiter's answer: admitted, or refused with how long to wait before a retry can succeed.</summary>
internal readonly record struct RateDecision(bool Allowed, TimeSpan RetryAfter)
{
    public static readonly RateDecision Admitted = new(true, TimeSpan.Zero);

    public static RateDecision Refused(long waitUs) => new(false, TimeSpan.FromMicroseconds(waitUs));
}
