using System.Data;
using PartnerExchange.Ledger.Stores;
using PartnerExchange.Ledger.Writing;

namespace PartnerExchange.Ledger.Engines.Sqlite;

/// <summary>The idempotency_records table, unique on (principal, idempotency_key).</summary>
internal sealed class SqliteIdempotencyStore(SqliteWriteTransaction tx) : IIdempotencyStore
{
    /// <summary>The record of a key, read by the writer and, for replays, by readers.</summary>
    internal const string FindSql =
        "SELECT method, request_fingerprint, is_refusal, response FROM idempotency_records " +
        "WHERE principal = $principal AND idempotency_key = $key";

    public IdempotencyRecords.Earlier? Find(string principal, string idempotencyKey)
    {
        using var reader = tx.Query(FindSql, ("$principal", principal), ("$key", idempotencyKey));
        return reader.Read() ? Read(reader) : null;
    }

    internal static IdempotencyRecords.Earlier Read(IDataRecord reader) =>
        new(reader.GetString(0), (byte[])reader.GetValue(1), new StoredResponse(reader.GetBoolean(2), (byte[])reader.GetValue(3)));

    public void Insert(IdempotencyScope scope, StoredResponse response) =>
        tx.Execute(
            "INSERT INTO idempotency_records (principal, idempotency_key, method, request_fingerprint, is_refusal, response, created_at_micros) " +
            "VALUES ($principal, $key, $method, $fingerprint, $refusal, $response, $now)",
            ("$principal", scope.Principal), ("$key", scope.IdempotencyKey), ("$method", scope.Method),
            ("$fingerprint", scope.RequestFingerprint), ("$refusal", response.IsRefusal), ("$response", response.Payload),
            ("$now", tx.NowMicros));
}
