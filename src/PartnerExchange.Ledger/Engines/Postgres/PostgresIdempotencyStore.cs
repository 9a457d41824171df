using PartnerExchange.Ledger.Reading;
using PartnerExchange.Ledger.Stores;
using PartnerExchange.Ledger.Writing;

namespace PartnerExchange.Ledger.Engines.Postgres;

/// <summary>
/// The idempotency_records table, unique on (principal, idempotency_key). A key sent to two servers at once has one
/// effect: their groups run one after the other under the ledger's write lock, and the second finds the first's record.
/// </summary>
internal sealed class PostgresIdempotencyStore(PostgresWriteTransaction tx) : IIdempotencyStore
{
    public IdempotencyRecords.Earlier? Find(string principal, string idempotencyKey)
    {
        using var reader = tx.Query(
            "SELECT method, request_fingerprint, is_refusal, response FROM idempotency_records WHERE principal = $1 AND idempotency_key = $2",
            principal, idempotencyKey);
        return reader.Read() ? IdempotencyRows.Read(reader) : null;
    }

    public void Insert(IdempotencyScope scope, StoredResponse response) =>
        tx.Execute(
            "INSERT INTO idempotency_records (principal, idempotency_key, method, request_fingerprint, is_refusal, response, created_at_micros) " +
            "VALUES ($1, $2, $3, $4, $5, $6, $7)",
            scope.Principal, scope.IdempotencyKey, scope.Method, scope.RequestFingerprint, response.IsRefusal, response.Payload, tx.NowMicros);
}
