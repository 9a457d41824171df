using System.Data;
using PartnerExchange.Domain.Expiry;
using PartnerExchange.Domain.Points;
using PartnerExchange.Domain.Rates;
using PartnerExchange.Domain.Settlement;
using PartnerExchange.Ledger.Commands;
using PartnerExchange.Ledger.Writing;

namespace PartnerExchange.Ledger.Reading;

// The SELECTs and row readers that the readers and the engines' writer stores share. They are plain SQL that SQLite and
// PostgreSQL both accept, with @-named parameters (Microsoft.Data.Sqlite and Npgsql both bind those), and the readers
// take any IDataRecord, so one text and one reader serve every engine.

/// <summary>A partner's row.</summary>
internal static class PartnerRows
{
    internal const string Columns =
        "program_code, display_name, program_name, kind, status, settlement_currency, point_price_micros, " +
        "earn_currency, earn_points, earn_per_amount_minor, created_at_micros, updated_at_micros, " +
        "writes_per_second, writes_burst, reads_per_second, reads_burst, quotes_per_second, quotes_burst, expiry_policy, expiry_months";

    /// <summary>One partner by program code: parameter <c>@code</c>.</summary>
    internal const string ByCodeSql = $"SELECT {Columns} FROM partners WHERE program_code = @code";

    /// <summary>A row of <see cref="Columns"/>.</summary>
    internal static PartnerRecord Read(IDataRecord r)
    {
        EarnRule? earn = r.IsDBNull(7) ? null : new EarnRule(r.GetString(7), r.GetInt64(8), r.GetInt64(9));
        return new PartnerRecord(
            r.GetString(0), r.GetString(1), r.GetString(2), (PartnerKind)r.GetInt32(3), r.GetInt32(4) == PartnerStatus.Suspended,
            r.GetString(5), r.GetInt64(6), earn, Time.FromMicros(r.GetInt64(10)), Time.FromMicros(r.GetInt64(11)))
        {
            RateLimits = new PartnerRateLimits(LimitAt(r, 12), LimitAt(r, 14), LimitAt(r, 16)),
            ExpiryPolicy = new ExpiryPolicy((ExpiryPolicyKind)r.GetInt32(18), r.GetInt32(19)),
        };
    }

    private static RateLimit? LimitAt(IDataRecord r, int ordinal) =>
        r.IsDBNull(ordinal) ? null : new RateLimit(r.GetInt32(ordinal), r.GetInt32(ordinal + 1));
}

/// <summary>A row of exchange_rates.</summary>
internal static class RateRows
{
    internal const string Columns =
        "id, from_program_code, to_program_code, version, from_points, to_points, min_source_points, max_source_points, " +
        "increment_points, member_fee_points, bonus_basis_points, bonus_starts_at_micros, bonus_ends_at_micros, " +
        "effective_at_micros, enabled, created_at_micros";

    /// <summary>
    /// The latest version of one direction in effect at a time, enabled or not (parameters <c>@from</c>, <c>@to</c>,
    /// <c>@at</c>): read backwards along the (from, to, effective, version) index, it is the first row, with no sort
    /// (every conversion asks).
    /// </summary>
    internal const string InEffectSql =
        $"SELECT {Columns} FROM exchange_rates WHERE from_program_code = @from AND to_program_code = @to " +
        "AND effective_at_micros <= @at ORDER BY effective_at_micros DESC, version DESC LIMIT 1";

    /// <summary>A row of <see cref="Columns"/>.</summary>
    internal static RateRecord Read(IDataRecord r)
    {
        var terms = new ExchangeRateTerms(
            r.GetInt64(4), r.GetInt64(5), r.GetInt64(6), r.GetInt64(7), r.GetInt64(8), r.GetInt64(9), r.GetInt32(10),
            r.IsDBNull(11) ? null : Time.FromMicros(r.GetInt64(11)),
            r.IsDBNull(12) ? null : Time.FromMicros(r.GetInt64(12)));
        return new RateRecord(
            r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetInt64(3), terms,
            Time.FromMicros(r.GetInt64(13)), r.GetBoolean(14), Time.FromMicros(r.GetInt64(15)));
    }
}

/// <summary>A row of idempotency_records, unique on (principal, idempotency_key).</summary>
internal static class IdempotencyRows
{
    /// <summary>The record of a key (parameters <c>@principal</c>, <c>@key</c>), read by the writer and, for replays, by readers.</summary>
    internal const string FindSql =
        "SELECT method, request_fingerprint, is_refusal, response FROM idempotency_records " +
        "WHERE principal = @principal AND idempotency_key = @key";

    /// <summary>A row of <see cref="FindSql"/>.</summary>
    internal static IdempotencyRecords.Earlier Read(IDataRecord reader) =>
        new(reader.GetString(0), (byte[])reader.GetValue(1), new StoredResponse(reader.GetBoolean(2), (byte[])reader.GetValue(3)));
}

/// <summary>The obligations a period closes, as the writer's settlement store and the period snapshot read them.</summary>
internal static class ObligationRows
{
    /// <summary>
    /// Sequence, transaction id, payer, payee, currency, destination points, micros and minor units of obligations; the
    /// caller adds its WHERE and ORDER BY on <c>o</c> (obligations) and <c>t</c> (their transactions).
    /// </summary>
    internal const string Select =
        "SELECT o.sequence, t.transaction_id, o.payer_program_code, o.payee_program_code, o.currency_code, o.destination_points, " +
        "o.amount_micros, o.amount_minor FROM obligations o JOIN transactions t ON t.sequence = o.sequence ";

    /// <summary>
    /// Obligations recorded in [@start, @end), in sequence order. Periods never overlap and no obligation is recorded
    /// inside a closed one (<see cref="Obligations.RecordedAtMicros"/>), so while [@start, @end) is not closed, none of
    /// them is in a statement.
    /// </summary>
    internal const string UnsettledSql = Select + "WHERE o.created_at_micros >= @start AND o.created_at_micros < @end ORDER BY o.sequence";

    /// <summary>A row of <see cref="Select"/>.</summary>
    internal static Obligation Read(IDataRecord r) =>
        new(r.GetString(2), r.GetString(3), r.GetString(4), new ObligationLine(r.GetInt64(0), r.GetString(1), r.GetInt64(5), r.GetInt64(6), r.GetInt64(7)));
}
