using PartnerExchange.Ledger.Reading;
using PartnerExchange.Ledger.Stores;
using PartnerExchange.Ledger.Writing;

namespace PartnerExchange.Ledger.Engines.Sqlite;

/// <summary>The idempotency_records table, unique on (principal, idempotency_key).</summary>
internal sealed class SqliteIdempotencyStore(SqliteWriteTransaction tx) : IIdempotencyStore
{
    public IdempotencyRecords.Earlier? Find(string principal, string idempotencyKey)
    {
        using var reader = tx.Query(IdempotencyRows.FindSql, ("@principal", principal), ("@key", idempotencyKey));
        return reader.Read() ? IdempotencyRows.Read(reader) : null;
    }

    public void Insert(IdempotencyScope scope, StoredResponse response) =>
        tx.Execute(
            "INSERT INTO idempotency_records (principal, idempotency_key, method, request_fingerprint, is_refusal, response, created_at_micros) " +
            "VALUES ($principal, $key, $method, $fingerprint, $refusal, $response, $now)",
            ("$principal", scope.Principal), ("$key", scope.IdempotencyKey), ("$method", scope.Method),
            ("$fingerprint", scope.RequestFingerprint), ("$refusal", response.IsRefusal), ("$response", response.Payload),
            ("$now", tx.NowMicros));
}
