using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using PartnerExchange.Ledger.Writing;
using StackExchange.Redis;

namespace PartnerExchange.Server.Redis;

/// <summary>What the fast path knows about an idempotency key before the ledger is asked.</summary>
internal enum KeyState
{
    /// <summary>This request holds the in-flight marker: run it, then complete or abandon the key.</summary>
    Started,
    /// <summary>An earlier request with this key and request completed: replay its stored response.</summary>
    Completed,
    /// <summary>An earlier request with this key and request is still running.</summary>
    Running,
    /// <summary>The key was used with a different request.</summary>
    Reused,
    /// <summary>Redis did not answer: the ledger's own guard decides.</summary>
    Unknown,
}

/// <summary>The fast path's answer: the key's state, and the stored response when it completed.</summary>
internal readonly record struct KeyLookup(KeyState State, StoredResponse? Response, string Token);

/// <summary>
/// The Redis fast path of idempotency, in front of the ledger's own guard: the first request sets an
/// in-flight marker atomically with its fingerprint; a repeat is answered from Redis without ledger work
/// (replay, reused key, or still running). Any Redis failure, eviction or flush falls through to the
/// ledger, which answers exactly once whatever Redis says.
/// </summary>
internal sealed class IdempotencyCache(RedisConnection redis, IOptions<RedisOptions> options)
{
    // One round trip: claim the key for this request, or report what an earlier request left there.
    private const string BeginScript = """
        local state = redis.call('HGET', KEYS[1], 'state')
        if not state then
          redis.call('HSET', KEYS[1], 'state', 'running', 'fp', ARGV[1], 'token', ARGV[2])
          redis.call('PEXPIRE', KEYS[1], ARGV[3])
          return {'started'}
        end
        if redis.call('HGET', KEYS[1], 'fp') ~= ARGV[1] then
          return {'reused'}
        end
        if state == 'running' then
          return {'running'}
        end
        return {'completed', redis.call('HGET', KEYS[1], 'refusal'), redis.call('HGET', KEYS[1], 'response')}
        """;

    // Only the request holding the marker may complete it, so a request whose marker expired and was
    // taken over by a retry can never overwrite the retry's record.
    private const string CompleteScript = """
        if redis.call('HGET', KEYS[1], 'token') == ARGV[1] then
          redis.call('HSET', KEYS[1], 'state', 'completed', 'refusal', ARGV[2], 'response', ARGV[3])
          redis.call('PEXPIRE', KEYS[1], ARGV[4])
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

    public async Task<KeyLookup> BeginAsync(IdempotencyScope scope)
    {
        var token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
        var result = await redis.TryAsync(
            db => db.ScriptEvaluateAsync(BeginScript, [KeyOf(scope)],
                [Fingerprint(scope), token, (long)_options.InFlightTtl.TotalMilliseconds]),
            RedisResult.Create(RedisValue.Null)).ConfigureAwait(false);
        if (result.IsNull || result.Length == 0)
        {
            return new KeyLookup(KeyState.Unknown, null, token);
        }
        return (string?)result[0] switch
        {
            "started" => new KeyLookup(KeyState.Started, null, token),
            "reused" => new KeyLookup(KeyState.Reused, null, token),
            "running" => new KeyLookup(KeyState.Running, null, token),
            "completed" => new KeyLookup(KeyState.Completed, new StoredResponse((int)result[1] == 1, (byte[])result[2]!), token),
            _ => new KeyLookup(KeyState.Unknown, null, token),
        };
    }

    public Task CompleteAsync(IdempotencyScope scope, string token, StoredResponse response) =>
        redis.TryAsync(
            db => db.ScriptEvaluateAsync(CompleteScript, [KeyOf(scope)],
                [token, response.IsRefusal ? 1 : 0, response.Payload, (long)_options.IdempotencyTtl.TotalMilliseconds]),
            RedisResult.Create(RedisValue.Null));

    public Task AbandonAsync(IdempotencyScope scope, string token) =>
        redis.TryAsync(db => db.ScriptEvaluateAsync(AbandonScript, [KeyOf(scope)], [token]), RedisResult.Create(RedisValue.Null));

    public TimeSpan InProgressRetryDelay => _options.InProgressRetryDelay;

    private RedisKey KeyOf(IdempotencyScope scope) => redis.Key(scope.Principal, "idem", scope.IdempotencyKey);

    // The method is part of what a key is bound to, as in the ledger.
    private static byte[] Fingerprint(IdempotencyScope scope) =>
        SHA256.HashData([.. System.Text.Encoding.UTF8.GetBytes(scope.Method), 0, .. scope.RequestFingerprint]);
}
