using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace PartnerExchange.Server.RateLimiting;

/// <summary>
/// The in-process fallback while Redis is away: the same GCRA and the same limits, per server. Lock-free:
/// each bucket's TAT changes only by compare-and-swap. Bounded: idle buckets (TAT in the past, so
/// indistinguishable from a new bucket) are swept out, and the number of buckets is capped.
/// </summary>
internal sealed partial class LocalRequestLimiter
{
    // A swept bucket's TAT: whoever still holds it sees it is gone and looks the key up again.
    private const long Evicted = long.MinValue;

    // Sweeping is O(buckets); once every few seconds keeps it far below the cost of the calls themselves.
    private static readonly long SweepIntervalUs = (long)TimeSpan.FromSeconds(10).TotalMicroseconds;
    private static readonly long ForcedSweepIntervalUs = (long)TimeSpan.FromSeconds(1).TotalMicroseconds;

    private readonly ConcurrentDictionary<string, Bucket> _buckets = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly long _origin;
    private readonly int _maxKeys;
    private readonly ILogger<LocalRequestLimiter> _logger;
    private int _count;
    private int _sweeping;
    private long _lastSweepUs;
    private int _reportedFull;

    public LocalRequestLimiter(TimeProvider time, IOptions<RateLimitOptions> options, ILogger<LocalRequestLimiter> logger)
    {
        _time = time;
        _origin = time.GetTimestamp();
        _maxKeys = options.Value.MaxLocalKeys;
        _logger = logger;
    }

    /// <summary>How many buckets are held now.</summary>
    public int Count => Volatile.Read(ref _count);

    public RateDecision Acquire(string key, Gcra limit)
    {
        var nowUs = NowUs();
        SweepIfDue(nowUs, force: false);
        while (true)
        {
            var bucket = Find(key, nowUs);
            if (bucket is null)
            {
                return RateDecision.Admitted;
            }
            var tatUs = Volatile.Read(ref bucket.TatUs);
            if (tatUs == Evicted)
            {
                Remove(key, bucket);
                continue;
            }
            var (allowed, newTatUs, waitUs) = limit.Decide(tatUs, nowUs);
            if (!allowed)
            {
                return RateDecision.Refused(waitUs);
            }
            if (Interlocked.CompareExchange(ref bucket.TatUs, newTatUs, tatUs) == tatUs)
            {
                return RateDecision.Admitted;
            }
        }
    }

    /// <summary>The key's bucket, a new one, or null when the limiter is full of busy buckets.</summary>
    private Bucket? Find(string key, long nowUs)
    {
        while (true)
        {
            if (_buckets.TryGetValue(key, out var existing))
            {
                return existing;
            }
            if (Volatile.Read(ref _count) >= _maxKeys)
            {
                SweepIfDue(nowUs, force: true);
                if (Volatile.Read(ref _count) >= _maxKeys)
                {
                    // Every bucket is busy. Evicting a busy one would forget a limit in force, so the new key
                    // goes untracked; this is the degraded fallback and the cap is far above real traffic.
                    ReportFull();
                    return null;
                }
            }
            var created = new Bucket();
            if (_buckets.TryAdd(key, created))
            {
                Interlocked.Increment(ref _count);
                return created;
            }
        }
    }

    private void SweepIfDue(long nowUs, bool force)
    {
        var sinceUs = nowUs - Volatile.Read(ref _lastSweepUs);
        if (sinceUs < (force ? ForcedSweepIntervalUs : SweepIntervalUs) || Interlocked.Exchange(ref _sweeping, 1) == 1)
        {
            return;
        }
        try
        {
            foreach (var (key, bucket) in _buckets)
            {
                var tatUs = Volatile.Read(ref bucket.TatUs);
                if (tatUs != Evicted && tatUs <= nowUs && Interlocked.CompareExchange(ref bucket.TatUs, Evicted, tatUs) == tatUs)
                {
                    Remove(key, bucket);
                }
            }
            Volatile.Write(ref _lastSweepUs, nowUs);
            Volatile.Write(ref _reportedFull, 0);
        }
        finally
        {
            Volatile.Write(ref _sweeping, 0);
        }
    }

    private void Remove(string key, Bucket bucket)
    {
        if (_buckets.TryRemove(KeyValuePair.Create(key, bucket)))
        {
            Interlocked.Decrement(ref _count);
        }
    }

    private void ReportFull()
    {
        if (Interlocked.Exchange(ref _reportedFull, 1) == 0)
        {
            LogFull(_maxKeys);
        }
    }

    private long NowUs() => (long)_time.GetElapsedTime(_origin).TotalMicroseconds;

    [LoggerMessage(EventId = 4001, Level = LogLevel.Warning,
        Message = "The local rate limiter holds {MaxKeys} busy buckets (RateLimits:MaxLocalKeys); new keys go unlimited until some go idle")]
    private partial void LogFull(int maxKeys);

    private sealed class Bucket
    {
        // Microseconds since the limiter's origin; 0 (the origin) is the same as a full bucket.
        public long TatUs;
    }
}
