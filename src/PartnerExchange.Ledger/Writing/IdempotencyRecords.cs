using System.Data;

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

    /// <summary>The record of a key, read by the writer and, for replays, by readers.</summary>
    internal const string FindSql =
        "SELECT method, request_fingerprint, is_refusal, response FROM idempotency_records " +
        "WHERE principal = $principal AND idempotency_key = $key";

    public static Earlier? Find(WriteSession session, string principal, string idempotencyKey)
    {
        using var reader = session.Query(FindSql, ("$principal", principal), ("$key", idempotencyKey));
        return reader.Read() ? Read(reader) : null;
    }

    internal static Earlier Read(IDataRecord reader) =>
        new(reader.GetString(0), (byte[])reader.GetValue(1), new StoredResponse(reader.GetBoolean(2), (byte[])reader.GetValue(3)));

    public static void Insert(WriteSession session, IdempotencyScope scope, StoredResponse response)
    {
        session.Execute(
            "INSERT INTO idempotency_records (principal, idempotency_key, method, request_fingerprint, is_refusal, response, created_at_micros) " +
            "VALUES ($principal, $key, $method, $fingerprint, $refusal, $response, $now)",
            ("$principal", scope.Principal), ("$key", scope.IdempotencyKey), ("$method", scope.Method),
            ("$fingerprint", scope.RequestFingerprint), ("$refusal", response.IsRefusal), ("$response", response.Payload),
            ("$now", session.NowMicros));
    }
}
