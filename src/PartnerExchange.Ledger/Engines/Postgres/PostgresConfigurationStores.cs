using PartnerExchange.Domain.Expiry;
using PartnerExchange.Domain.Rates;
using PartnerExchange.Ledger.Reading;
using PartnerExchange.Ledger.Commands;
using PartnerExchange.Ledger.Engines.Sqlite;
using PartnerExchange.Ledger.Stores;
using PartnerExchange.Ledger.Writing;

namespace PartnerExchange.Ledger.Engines.Postgres;

/// <summary>The partners table; rows map as on SQLite (<see cref="PartnerRows.Read"/>).</summary>
internal sealed class PostgresPartnerStore(PostgresWriteTransaction tx) : IPartnerStore
{
    public PartnerRecord? Find(string programCode)
    {
        using var reader = tx.Query($"SELECT {PartnerRows.Columns} FROM partners WHERE program_code = $1", programCode);
        return reader.Read() ? PartnerRows.Read(reader) : null;
    }

    public ExpiryPolicy ExpiryPolicyOf(string programCode)
    {
        using var reader = tx.Query("SELECT expiry_policy, expiry_months FROM partners WHERE program_code = $1", programCode);
        return reader.Read() ? new ExpiryPolicy((ExpiryPolicyKind)reader.GetInt32(0), reader.GetInt32(1)) : ExpiryPolicy.Never;
    }

    public void Insert(PartnerRecord p)
    {
        var (limits, earn) = (p.RateLimits, p.EarnRule);
        tx.Execute(
            "INSERT INTO partners (program_code, display_name, program_name, kind, status, settlement_currency, point_price_micros, " +
            "earn_currency, earn_points, earn_per_amount_minor, created_at_micros, updated_at_micros, writes_per_second, " +
            "writes_burst, reads_per_second, reads_burst, quotes_per_second, quotes_burst, expiry_policy, expiry_months, expiry_policy_since_micros) " +
            "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11, $12, $13, $14, $15, $16, $17, $18, $19, $11)",
            p.ProgramCode, p.DisplayName, p.ProgramName, (int)p.Kind, p.Suspended ? PartnerStatus.Suspended : PartnerStatus.Active,
            p.SettlementCurrency, p.PointPriceMicros, earn?.CurrencyCode, earn?.Points, earn?.PerAmountMinor, p.CreatedAt.ToUnixMicros(),
            limits.Writes?.RequestsPerSecond, limits.Writes?.Burst, limits.Reads?.RequestsPerSecond, limits.Reads?.Burst,
            limits.Quotes?.RequestsPerSecond, limits.Quotes?.Burst, (int)p.ExpiryPolicy.Kind, p.ExpiryPolicy.Months);
    }

    public void Update(PartnerRecord p, bool policyChanged)
    {
        var (limits, earn) = (p.RateLimits, p.EarnRule);
        tx.Execute(
            "UPDATE partners SET display_name = $1, program_name = $2, kind = $3, point_price_micros = $4, earn_currency = $5, " +
            "earn_points = $6, earn_per_amount_minor = $7, updated_at_micros = $8, writes_per_second = $9, writes_burst = $10, " +
            "reads_per_second = $11, reads_burst = $12, quotes_per_second = $13, quotes_burst = $14, expiry_policy = $15, " +
            // A new policy applies from now on: an inactivity clock starts no earlier (see ExpiryPolicy.InactivityDeadline).
            "expiry_months = $16, expiry_policy_since_micros = CASE WHEN $17 THEN $8 ELSE expiry_policy_since_micros END " +
            "WHERE program_code = $18",
            p.DisplayName, p.ProgramName, (int)p.Kind, p.PointPriceMicros, earn?.CurrencyCode, earn?.Points, earn?.PerAmountMinor,
            p.UpdatedAt.ToUnixMicros(), limits.Writes?.RequestsPerSecond, limits.Writes?.Burst, limits.Reads?.RequestsPerSecond,
            limits.Reads?.Burst, limits.Quotes?.RequestsPerSecond, limits.Quotes?.Burst, (int)p.ExpiryPolicy.Kind, p.ExpiryPolicy.Months,
            policyChanged, p.ProgramCode);
    }

    public bool SetSuspended(string programCode, bool suspended, long atMicros) =>
        tx.Execute(
            "UPDATE partners SET status = $1, updated_at_micros = $2 WHERE program_code = $3",
            suspended ? PartnerStatus.Suspended : PartnerStatus.Active, atMicros, programCode) == 1;
}

/// <summary>The exchange_rates table; rows map as on SQLite (<see cref="RateRows.Read"/>).</summary>
internal sealed class PostgresRateStore(PostgresWriteTransaction tx) : IRateStore
{
    private const string RateColumns = SqliteRateStore.RateColumns;

    /// <summary>The latest version of one direction in effect at a time, enabled or not: the first row along the index.</summary>
    private const string RateInEffectSql =
        $"SELECT {RateColumns} FROM exchange_rates WHERE from_program_code = $1 AND to_program_code = $2 " +
        "AND effective_at_micros <= $3 ORDER BY effective_at_micros DESC, version DESC LIMIT 1";

    public RateRecord? InEffect(string fromProgramCode, string toProgramCode, DateTimeOffset at)
    {
        using var reader = tx.Query(RateInEffectSql, fromProgramCode, toProgramCode, at.ToUnixMicros());
        return reader.Read() ? RateRows.Read(reader) : null;
    }

    public List<RateRecord> OutOf(string fromProgramCode, DateTimeOffset at)
    {
        using var reader = tx.Query(
            $"SELECT {RateColumns} FROM exchange_rates AS r WHERE from_program_code = $1 AND enabled AND " +
            "(effective_at_micros > $2 OR id = (SELECT id FROM exchange_rates WHERE from_program_code = r.from_program_code " +
            "AND to_program_code = r.to_program_code AND effective_at_micros <= $2 ORDER BY effective_at_micros DESC, version DESC LIMIT 1))",
            fromProgramCode, at.ToUnixMicros());
        var rates = new List<RateRecord>();
        while (reader.Read())
        {
            rates.Add(RateRows.Read(reader));
        }
        return rates;
    }

    public RateRecord? Find(long rateId)
    {
        using var reader = tx.Query($"SELECT {RateColumns} FROM exchange_rates WHERE id = $1", rateId);
        return reader.Read() ? RateRows.Read(reader) : null;
    }

    public long LatestVersion(string fromProgramCode, string toProgramCode) =>
        tx.Scalar("SELECT MAX(version) FROM exchange_rates WHERE from_program_code = $1 AND to_program_code = $2", fromProgramCode, toProgramCode) ?? 0;

    public long Insert(string fromProgramCode, string toProgramCode, long version, ExchangeRateTerms terms, DateTimeOffset effectiveAt, bool enabled) =>
        tx.InsertReturning(
            "INSERT INTO exchange_rates (from_program_code, to_program_code, version, from_points, to_points, min_source_points, " +
            "max_source_points, increment_points, member_fee_points, bonus_basis_points, bonus_starts_at_micros, " +
            "bonus_ends_at_micros, effective_at_micros, enabled, created_at_micros) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, " +
            "$11, $12, $13, $14, $15) RETURNING id",
            fromProgramCode, toProgramCode, version, terms.FromPoints, terms.ToPoints, terms.MinSourcePoints, terms.MaxSourcePoints,
            terms.IncrementPoints, terms.MemberFeePoints, terms.BonusBasisPoints, terms.BonusStartsAt?.ToUnixMicros(),
            terms.BonusEndsAt?.ToUnixMicros(), effectiveAt.ToUnixMicros(), enabled, tx.NowMicros);
}

/// <summary>The api_keys table.</summary>
internal sealed class PostgresApiKeyStore(PostgresWriteTransaction tx) : IApiKeyStore
{
    public void Insert(ApiKeyRecord key, byte[] secretHash) =>
        tx.Execute(
            "INSERT INTO api_keys (key_id, role, program_code, label, secret_hash, created_at_micros) VALUES ($1, $2, $3, $4, $5, $6)",
            key.KeyId, (int)key.Role, key.ProgramCode, key.Label, secretHash, key.CreatedAt.ToUnixMicros());

    public void Revoke(string keyId, long atMicros) =>
        tx.Execute("UPDATE api_keys SET revoked_at_micros = $1 WHERE key_id = $2 AND revoked_at_micros IS NULL", atMicros, keyId);

    public ApiKeyRecord? Find(string keyId)
    {
        using var reader = tx.Query(
            "SELECT key_id, role, program_code, label, created_at_micros, revoked_at_micros FROM api_keys WHERE key_id = $1", keyId);
        if (!reader.Read())
        {
            return null;
        }
        return new ApiKeyRecord(
            reader.GetString(0), (ApiKeyRole)reader.GetInt32(1), reader.IsDBNull(2) ? null : reader.GetString(2), reader.GetString(3),
            Time.FromMicros(reader.GetInt64(4)), reader.IsDBNull(5) ? null : Time.FromMicros(reader.GetInt64(5)));
    }
}
