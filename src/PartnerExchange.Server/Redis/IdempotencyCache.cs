using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using PartnerExchange.Ledger.Writing;
using PartnerExchange.Server.RateLimiting;
using StackExchange.Redis;

namespace PartnerExchange.Server.Redis;

/// <summary>What the fast path knows about an idempotency key before the ledger is asked.</summary>
internal enum KeyState
{
    /// <summary>This request holds the in-flight marker: run it, then complete or abandon the key.</summary>
    Started,
    /// <summary>An earlier request with this key and request completed: replay its stored response.</summary>
    Completed,
    /// <summary>
    /// An in-flight marker of this key and request: the request may still be running, or its write completed and the
    /// marker was never marked (a Redis command that timed out here but ran there). The ledger's record tells which.
    /// </summary>
    Running,
    /// <summary>
    /// An in-flight marker of this key with a different request, which may never have been recorded (an input error
    /// whose marker release failed): only the ledger's guard may call the key reused.
    /// </summary>
    Contended,
    /// <summary>The key completed with a different request.</summary>
    Reused,
    /// <summary>Redis did not answer: the ledger's own guard decides.</summary>
    Unknown,
    /// <summary>A bucket the write draws from refused it; the key was not claimed.</summary>
    Limited,
}

/// <summary>
/// The fast path's answer: the key's state; when <see cref="KeyState.Limited"/>, which bucket refused (its index)
/// and the wait before a retry can succeed.
/// </summary>
internal readonly record struct KeyLookup(KeyState State, string Token, int RefusingBucket = -1, long WaitUs = 0);

/// <summary>
/// The Redis fast path of idempotency, in front of the ledger's own guard: the first request sets an
/// in-flight marker atomically with its fingerprint; a repeat is answered without the writer (reused key,
/// still running, or completed: then its response is read from the ledger, which records it with the
/// transaction). Any Redis failure, eviction or flush falls through to the ledger's writer, which answers
/// exactly once whatever Redis says.
/// </summary>
/// <remarks>
/// A completed key keeps only its state and fingerprint: Redis holds a day of keys at the write rate, and the
/// ledger has every response anyway; a key without its response takes about a quarter of the memory
/// (docs/bench/HISTORY.md).
/// </remarks>
internal sealed class IdempotencyCache(RedisConnection redis, IOptions<RedisOptions> options)
{
    // One round trip: draw one request from each bucket the write is limited by, in order, then claim the
    // key for this request or report what an earlier request left there. A refusing bucket stops the script
    // before the key is touched, so a refused request never claims it. The buckets and the key share the
    // partner's hash tag (one Cluster slot). KEYS: the buckets, then the key. ARGV[1]: the number of buckets;
    // then each bucket's interval and tolerance (µs); then the fingerprint, the token and the in-flight TTL (ms).
    private const string BeginScript = Gcra.LuaFunctions + """
        local buckets = tonumber(ARGV[1])
        if buckets > 0 then
          local now = gcra_now()
          for i = 1, buckets do
            local wait = gcra_draw(KEYS[i], tonumber(ARGV[2 * i]), tonumber(ARGV[2 * i + 1]), now)
            if wait > 0 then
              return {'limited', i, wait}
            end
          end
        end
        local key = KEYS[buckets + 1]
        local fp = ARGV[2 * buckets + 2]
        local state = redis.call('HGET', key, 'state')
        if not state then
          redis.call('HSET', key, 'state', 'running', 'fp', fp, 'token', ARGV[2 * buckets + 3])
          redis.call('PEXPIRE', key, ARGV[2 * buckets + 4])
          return {'started'}
        end
        local same = redis.call('HGET', key, 'fp') == fp
        if state == 'running' then
          if same then
            return {'running'}
          end
          return {'contended'}
        end
        if not same then
          return {'reused'}
        end
        return {'completed'}
        """;

    // Only the request holding the marker may complete it, so a request whose marker expired and was
    // taken over by a retry can never overwrite the retry's record. The token has done its work then.
    private const string CompleteScript = """
        if redis.call('HGET', KEYS[1], 'token') == ARGV[1] then
          redis.call('HSET', KEYS[1], 'state', 'completed')
          redis.call('HDEL', KEYS[1], 'token')
          redis.call('PEXPIRE', KEYS[1], ARGV[2])
          return 1
        end
        return 0
        """;

    private const string AbandonScript = """
        if redis.call('HGET', KEYS[1], 'token') == ARGV[1] and redis.call('HGET', KEYS[1], 'state') == 'running' then
          return redis.call('DEL', KEYS[1])
        end
        return 0
        """;

    private readonly RedisOptions _options = options.Value;

    /// <summary>
    /// Draws from <paramref name="buckets"/> (none for writes limited elsewhere) and claims the key, in one
    /// round trip; <see cref="KeyState.Unknown"/> when Redis did not answer, and then no bucket was drawn.
    /// </summary>
    public async Task<KeyLookup> BeginAsync(IdempotencyScope scope, IReadOnlyList<(RedisKey Key, Gcra Limit)> buckets)
    {
        ArgumentNullException.ThrowIfNull(buckets);
        var token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
        var keys = new RedisKey[buckets.Count + 1];
        var values = new RedisValue[2 * buckets.Count + 4];
        values[0] = buckets.Count;
        for (var i = 0; i < buckets.Count; i++)
        {
            keys[i] = buckets[i].Key;
            values[2 * i + 1] = buckets[i].Limit.IntervalUs;
            values[2 * i + 2] = buckets[i].Limit.ToleranceUs;
        }
        keys[^1] = KeyOf(scope);
        values[^3] = Fingerprint(scope);
        values[^2] = token;
        values[^1] = (long)_options.InFlightTtl.TotalMilliseconds;
        var result = await redis.TryAsync(db => db.ScriptEvaluateAsync(BeginScript, keys, values), RedisResult.Create(RedisValue.Null))
            .ConfigureAwait(false);
        return ToLookup(result, token);
    }

    private static KeyLookup ToLookup(RedisResult result, string token)
    {
        if (result.IsNull || result.Length == 0)
        {
            return new KeyLookup(KeyState.Unknown, token);
        }
        return (string?)result[0] switch
        {
            "started" => new KeyLookup(KeyState.Started, token),
            "reused" => new KeyLookup(KeyState.Reused, token),
            "running" => new KeyLookup(KeyState.Running, token),
            "contended" => new KeyLookup(KeyState.Contended, token),
            "completed" => new KeyLookup(KeyState.Completed, token),
            // Lua counts from 1.
            "limited" => new KeyLookup(KeyState.Limited, token, (int)result[1] - 1, (long)result[2]),
            _ => new KeyLookup(KeyState.Unknown, token),
        };
    }

    /// <summary>
    /// Marks the key completed, without waiting for Redis; call only once the ledger has recorded its response.
    /// </summary>
    /// <remarks>
    /// Not waiting saves the write its second round trip. A completion lost or not yet run is safe: the key stays
    /// an in-flight marker of this request, and a repeat that meets it asks the ledger, whose record answers it
    /// (a replay, or, for another request, IDEMPOTENCY_KEY_REUSED from the writer's guard) until the marker expires
    /// and the ledger alone decides, as when Redis has forgotten a key.
    /// </remarks>
    public void Complete(IdempotencyScope scope, string token)
    {
        RedisKey[] keys = [KeyOf(scope)];
        RedisValue[] values = [token, (long)_options.IdempotencyTtl.TotalMilliseconds];
        redis.Send(db => _ = db.ScriptEvaluateAsync(CompleteScript, keys, values, CommandFlags.FireAndForget));
    }

    public Task AbandonAsync(IdempotencyScope scope, string token) =>
        redis.TryAsync(db => db.ScriptEvaluateAsync(AbandonScript, [KeyOf(scope)], [token]), RedisResult.Create(RedisValue.Null));

    public TimeSpan InProgressRetryDelay => _options.InProgressRetryDelay;

    // Version 2 of the record: a completed key carries no response. Its own key segment, so a server of an earlier
    // build (which reads the response from a completed record) never meets one of these during a rolling upgrade;
    // across the two the ledger's guard decides, as it does whenever Redis has forgotten a key.
    internal const string KeySegment = "idem2";

    private RedisKey KeyOf(IdempotencyScope scope) => redis.Key(scope.Principal, KeySegment, scope.IdempotencyKey);

    // The method is part of what a key is bound to, as in the ledger.
    private static byte[] Fingerprint(IdempotencyScope scope) =>
        SHA256.HashData([.. System.Text.Encoding.UTF8.GetBytes(scope.Method), 0, .. scope.RequestFingerprint]);
}
