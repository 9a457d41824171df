using System.Collections.Concurrent;
using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using Microsoft.Extensions.Options;
using PartnerExchange.Domain;
using PartnerExchange.Server.Errors;
using PartnerExchange.Server.Redis;
using StackExchange.Redis;
using ErrorReason = PartnerExchange.Domain.ErrorReason;

namespace PartnerExchange.Server.Events;

/// <summary>
/// The cap on concurrent event streams per partner, across every server that shares the Redis: each open stream
/// holds a lease in a sorted set of its partner's pool, renewed while it runs, so a server that dies without closing
/// its streams frees their slots when the leases run out (<see cref="EventStreamOptions.StreamLease"/>). Leases are
/// timed by Redis's own clock, so servers' clocks need not agree. While Redis does not answer, each server counts
/// its own streams instead; a stream admitted so puts its lease in the pool at its first renewal after Redis
/// returns, so from then on the other servers count it too. A partner's own streams and operators' streams of that
/// partner are separate pools of the same size.
/// </summary>
internal sealed class StreamSlots(IOptions<EventStreamOptions> options, RedisConnection redis, TimeProvider clock)
{
    // Drops the pool's expired leases, then takes one if the pool has room. ARGV: max, lease ms, stream id.
    private const string TakeScript = """
        local time = redis.call('TIME')
        local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
        redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
        if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then
          return 0
        end
        redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[3])
        redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]))
        return 1
        """;

    // Extends a running stream's lease; puts it in the pool if it ran out while Redis was away, or if the stream was
    // admitted while Redis was down (the stream is still open either way). ARGV: lease ms, stream id.
    private const string RenewScript = """
        local time = redis.call('TIME')
        local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
        redis.call('ZADD', KEYS[1], now + tonumber(ARGV[1]), ARGV[2])
        redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[1]))
        return 1
        """;

    private readonly ConcurrentDictionary<(string Program, bool Operator), int> _openHere = new();

    /// <summary>Takes a slot of the pool, or refuses TOO_MANY_STREAMS when the pool is full.</summary>
    /// <exception cref="RpcException">RESOURCE_EXHAUSTED, TOO_MANY_STREAMS, with RetryInfo and <c>max_streams</c>.</exception>
    public async Task<IAsyncDisposable> TakeAsync(string programCode, bool byOperator)
    {
        var max = options.Value.MaxStreamsPerPartner;
        var lease = options.Value.StreamLease;
        var key = redis.Key(programCode, "streams", byOperator ? "operators" : "partner");
        var streamId = Guid.NewGuid().ToString("N");
        var taken = await redis.TryAsync<bool?>(
            async db => (long)await db.ScriptEvaluateAsync(TakeScript, [key], [max, (long)lease.TotalMilliseconds, streamId]).ConfigureAwait(false) == 1,
            null).ConfigureAwait(false);
        return taken switch
        {
            true => new Slot(redis, key, streamId, lease, clock, releaseHere: null),
            false => throw TooMany(programCode, max),
            null => new Slot(redis, key, streamId, lease, clock, releaseHere: TakeHere((programCode, byOperator), max)),
        };
    }

    /// <summary>
    /// Without Redis: counts a slot in this process (until Redis returns and the slot's renewal puts it there) and
    /// returns what gives the count back.
    /// </summary>
    private Action TakeHere((string Program, bool Operator) pool, int max)
    {
        while (true)
        {
            var open = _openHere.GetOrAdd(pool, 0);
            if (open >= max)
            {
                throw TooMany(pool.Program, max);
            }
            if (_openHere.TryUpdate(pool, open + 1, open))
            {
                return () => ReleaseHere(pool);
            }
        }
    }

    private void ReleaseHere((string Program, bool Operator) pool)
    {
        // Counts stay in the map at zero: one small entry per partner that ever streamed, bounded by the partners.
        _openHere.AddOrUpdate(pool, static _ => throw new InvalidOperationException("A stream slot was released twice."),
            static (_, open) => open > 0 ? open - 1 : throw new InvalidOperationException("A stream slot was released twice."));
    }

    private RpcException TooMany(string programCode, int max)
    {
        var status = RpcErrors.ToStatus(Refusal.Of(ErrorReason.TooManyStreams,
            $"The partner already has {max} open event streams; close one or retry later.",
            ("max_streams", max.ToString(CultureInfo.InvariantCulture)), ("program_code", programCode)));
        status.Details.Add(Any.Pack(new RetryInfo { RetryDelay = Duration.FromTimeSpan(options.Value.TooManyStreamsRetryDelay) }));
        return status.ToRpcException();
    }

    /// <summary>
    /// A lease in Redis, renewed three times per lease while the stream runs, and removed when it ends. A slot taken
    /// while Redis was down is also counted in this process until it ends.
    /// </summary>
    private sealed class Slot : IAsyncDisposable
    {
        private readonly RedisConnection _redis;
        private readonly RedisKey _key;
        private readonly string _streamId;
        private readonly long _leaseMs;
        private readonly ITimer _renewal;
        // Gives back this process's count of a slot taken while Redis was down; null for one taken in Redis.
        private readonly Action? _releaseHere;
        private Task _renewing = Task.CompletedTask;
        private int _released;

        public Slot(RedisConnection redis, RedisKey key, string streamId, TimeSpan lease, TimeProvider clock, Action? releaseHere)
        {
            (_redis, _key, _streamId, _leaseMs, _releaseHere) = (redis, key, streamId, (long)lease.TotalMilliseconds, releaseHere);
            var every = lease / 3;
            _renewal = clock.CreateTimer(_ => Volatile.Write(ref _renewing, RenewAsync()), null, every, every);
        }

        // A renewal Redis does not answer is not retried: the next one comes a third of a lease later.
        private Task<bool> RenewAsync() =>
            _redis.TryAsync(async db => !(await db.ScriptEvaluateAsync(RenewScript, [_key], [_leaseMs, _streamId]).ConfigureAwait(false)).IsNull, false);

        public async ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _released, 1) == 1)
            {
                return;
            }
            // Waits for a renewal under way, which would otherwise put the lease back after its removal.
            await _renewal.DisposeAsync().ConfigureAwait(false);
            await Volatile.Read(ref _renewing).ConfigureAwait(false);
            _releaseHere?.Invoke();
            // Not removed (Redis away): the lease runs out by itself.
            await _redis.TryAsync(db => db.SortedSetRemoveAsync(_key, _streamId), false).ConfigureAwait(false);
        }
    }
}
