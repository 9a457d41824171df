namespace PartnerExchange.Ledger.Writing;

/// <summary>
/// The ledger's own exactly-once guard: one record per (principal, key), inserted in the same database
/// transaction as the effect it guards, so no cache outage can ever let a retry post twice.
/// </summary>
internal static class IdempotencyRecords
{
    public sealed record Earlier(string Method, byte[] RequestFingerprint, StoredResponse Response)
    {
        public bool Matches(IdempotencyScope scope) =>
            Method == scope.Method && RequestFingerprint.AsSpan().SequenceEqual(scope.RequestFingerprint);
    }
}
