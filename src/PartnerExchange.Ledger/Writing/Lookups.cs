using System.Data;
using PartnerExchange.Domain.Expiry;
using PartnerExchange.Domain.Ledger;
using PartnerExchange.Domain.Points;
using PartnerExchange.Domain.Rates;
using PartnerExchange.Ledger.Commands;

namespace PartnerExchange.Ledger.Writing;

/// <summary>Reads the writer needs inside its transaction, so decisions and writes see the same state.</summary>
internal static class Lookups
{
    internal const string PartnerColumns =
        "program_code, display_name, program_name, kind, status, settlement_currency, point_price_micros, " +
        "earn_currency, earn_points, earn_per_amount_minor, created_at_micros, updated_at_micros, " +
        "writes_per_second, writes_burst, reads_per_second, reads_burst, quotes_per_second, quotes_burst, expiry_policy, expiry_months";

    internal const string RateColumns =
        "id, from_program_code, to_program_code, version, from_points, to_points, min_source_points, max_source_points, " +
        "increment_points, member_fee_points, bonus_basis_points, bonus_starts_at_micros, bonus_ends_at_micros, " +
        "effective_at_micros, enabled, created_at_micros";

    /// <summary>
    /// The latest version of one direction in effect at a time, enabled or not: read backwards along the
    /// (from, to, effective, version) index, it is the first row, with no sort (every conversion asks).
    /// </summary>
    internal const string RateInEffectSql =
        $"SELECT {RateColumns} FROM exchange_rates WHERE from_program_code = $from AND to_program_code = $to " +
        "AND effective_at_micros <= $at ORDER BY effective_at_micros DESC, version DESC LIMIT 1";

    public static PartnerRecord? Partner(WriteSession session, string programCode)
    {
        using var reader = session.Query($"SELECT {PartnerColumns} FROM partners WHERE program_code = $code", ("$code", programCode));
        if (!reader.Read())
        {
            return null;
        }
        var partner = ReadPartner(reader);
        // The row carries the expiry policy: the lots this request opens or checks need not read it again.
        session.NoteExpiryPolicy(programCode, partner.ExpiryPolicy);
        return partner;
    }

    /// <summary>The expiry policy of a program (never expiring when the program does not exist).</summary>
    public static ExpiryPolicy ExpiryPolicyOf(WriteSession session, string programCode)
    {
        using var reader = session.Query(
            "SELECT expiry_policy, expiry_months FROM partners WHERE program_code = $code", ("$code", programCode));
        return reader.Read() ? new ExpiryPolicy((ExpiryPolicyKind)reader.GetInt32(0), reader.GetInt32(1)) : ExpiryPolicy.Never;
    }

    public static bool IsEnrolled(WriteSession session, string programCode, string memberNumber) =>
        session.FindAccount(AccountRef.Member(programCode, memberNumber)) is not null;

    /// <summary>The version of a direction in effect at <paramref name="at"/>, enabled or not.</summary>
    public static RateRecord? RateInEffect(WriteSession session, string from, string to, DateTimeOffset at)
    {
        using var reader = session.Query(RateInEffectSql, ("$from", from), ("$to", to), ("$at", at.ToUnixMicros()));
        return reader.Read() ? ReadRate(reader) : null;
    }

    /// <summary>
    /// The enabled rates out of a program that are in effect at <paramref name="at"/> or will be later: for each
    /// destination, its version in effect (when enabled) and every enabled version to come.
    /// </summary>
    public static List<RateRecord> RatesOutOf(WriteSession session, string from, DateTimeOffset at)
    {
        using var reader = session.Query(
            $"SELECT {RateColumns} FROM exchange_rates AS r WHERE from_program_code = $from AND enabled = 1 AND " +
            "(effective_at_micros > $at OR id = (SELECT id FROM exchange_rates WHERE from_program_code = r.from_program_code " +
            "AND to_program_code = r.to_program_code AND effective_at_micros <= $at ORDER BY effective_at_micros DESC, version DESC LIMIT 1))",
            ("$from", from), ("$at", at.ToUnixMicros()));
        var rates = new List<RateRecord>();
        while (reader.Read())
        {
            rates.Add(ReadRate(reader));
        }
        return rates;
    }

    public static RateRecord? RateById(WriteSession session, long rateId)
    {
        using var reader = session.Query($"SELECT {RateColumns} FROM exchange_rates WHERE id = $id", ("$id", rateId));
        return reader.Read() ? ReadRate(reader) : null;
    }

    internal static PartnerRecord ReadPartner(IDataRecord r)
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

    /// <summary>The six nullable limit columns of a partner, in the order the SQL below names them.</summary>
    internal static (string Name, SqlValue Value)[] LimitParameters(PartnerRateLimits limits) =>
    [
        ("$writes_rate", limits.Writes?.RequestsPerSecond), ("$writes_burst", limits.Writes?.Burst),
        ("$reads_rate", limits.Reads?.RequestsPerSecond), ("$reads_burst", limits.Reads?.Burst),
        ("$quotes_rate", limits.Quotes?.RequestsPerSecond), ("$quotes_burst", limits.Quotes?.Burst),
    ];

    /// <summary>The two expiry columns of a partner, as the SQL names them.</summary>
    internal static (string Name, SqlValue Value)[] ExpiryParameters(ExpiryPolicy policy) =>
        [("$expiry_policy", (int)policy.Kind), ("$expiry_months", policy.Months)];

    internal static RateRecord ReadRate(IDataRecord r)
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

/// <summary>Stored partner status values.</summary>
internal static class PartnerStatus
{
    public const int Active = 1;
    public const int Suspended = 2;
}

/// <summary>Stored times are Unix microseconds: exact, sortable and the same on every provider.</summary>
internal static class Time
{
    public static DateTimeOffset FromMicros(long micros) => DateTimeOffset.UnixEpoch.AddTicks(micros * 10);

    public static long ToUnixMicros(this DateTimeOffset time) => (time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;
}
