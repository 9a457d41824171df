using System.Collections.Concurrent;

namespace PartnerExchange.Bench.Network;

/// <summary>
/// The transaction id of every write the exchange acknowledged with OK, setup included. After the run each
/// must be found in the ledger: an acknowledged write that is missing is a lost write.
/// </summary>
internal sealed class AcknowledgedWrites
{
    private readonly ConcurrentQueue<string> _transactionIds = new();

    public void Add(string transactionId) => _transactionIds.Enqueue(transactionId);

    /// <summary>The distinct ids: a replayed write acknowledges the same transaction again.</summary>
    public IReadOnlySet<string> DistinctIds() => _transactionIds.ToHashSet(StringComparer.Ordinal);
}
