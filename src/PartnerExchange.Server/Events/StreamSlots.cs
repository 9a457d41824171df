using System.Collections.Concurrent;
using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using Microsoft.Extensions.Options;
using PartnerExchange.Domain;
using PartnerExchange.Server.Errors;
using ErrorReason = PartnerExchange.Domain.ErrorReason;

namespace PartnerExchange.Server.Events;

/// <summary>
/// The cap on concurrent event streams per partner, counted in this process only (a cluster-wide cap would need
/// a shared counter in Redis with leases that expire when a server dies). A partner's own streams and operators'
/// streams of that partner are counted in separate pools of the same size.
/// </summary>
internal sealed class StreamSlots(IOptions<EventStreamOptions> options)
{
    private readonly ConcurrentDictionary<(string Program, bool Operator), int> _open = new();

    /// <summary>Takes a slot of the pool, or refuses TOO_MANY_STREAMS when the pool is full.</summary>
    /// <exception cref="RpcException">RESOURCE_EXHAUSTED, TOO_MANY_STREAMS, with RetryInfo and <c>max_streams</c>.</exception>
    public IDisposable Take(string programCode, bool byOperator)
    {
        var max = options.Value.MaxStreamsPerPartner;
        var pool = (programCode, byOperator);
        while (true)
        {
            var open = _open.GetOrAdd(pool, 0);
            if (open >= max)
            {
                throw TooMany(programCode, max);
            }
            if (_open.TryUpdate(pool, open + 1, open))
            {
                return new Slot(this, pool);
            }
        }
    }

    private void Release((string Program, bool Operator) pool)
    {
        // Counts stay in the map at zero: one small entry per partner that ever streamed, bounded by the partners.
        _open.AddOrUpdate(pool, static _ => throw new InvalidOperationException("A stream slot was released twice."),
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

    private sealed class Slot(StreamSlots slots, (string Program, bool Operator) pool) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                slots.Release(pool);
            }
        }
    }
}
