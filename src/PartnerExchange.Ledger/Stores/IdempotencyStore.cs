using PartnerExchange.Ledger.Writing;

namespace PartnerExchange.Ledger.Stores;

/// <summary>The ledger's own exactly-once guard: one record per (principal, key), unique.</summary>
internal interface IIdempotencyStore
{
    IdempotencyRecords.Earlier? Find(string principal, string idempotencyKey);

    /// <summary>Records the response to the current request's key, at the request's moment.</summary>
    void Insert(IdempotencyScope scope, StoredResponse response);
}
