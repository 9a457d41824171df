using PartnerExchange.Domain.Expiry;
using PartnerExchange.Domain.Rates;
using PartnerExchange.Ledger.Commands;
using PartnerExchange.Ledger.Reading;
using PartnerExchange.Ledger.Stores;
using PartnerExchange.Ledger.Writing;

namespace PartnerExchange.Ledger.Engines.Sqlite;

/// <summary>The partners table.</summary>
internal sealed class SqlitePartnerStore(SqliteWriteTransaction tx) : IPartnerStore
{
    public PartnerRecord? Find(string programCode)
    {
        using var reader = tx.Query(PartnerRows.ByCodeSql, ("@code", programCode));
        return reader.Read() ? PartnerRows.Read(reader) : null;
    }

    public ExpiryPolicy ExpiryPolicyOf(string programCode)
    {
        using var reader = tx.Query(
            "SELECT expiry_policy, expiry_months FROM partners WHERE program_code = $code", ("$code", programCode));
        return reader.Read() ? new ExpiryPolicy((ExpiryPolicyKind)reader.GetInt32(0), reader.GetInt32(1)) : ExpiryPolicy.Never;
    }

    public void Insert(PartnerRecord p) =>
        tx.Execute(
            "INSERT INTO partners (program_code, display_name, program_name, kind, status, settlement_currency, point_price_micros, " +
            "earn_currency, earn_points, earn_per_amount_minor, created_at_micros, updated_at_micros, writes_per_second, " +
            "writes_burst, reads_per_second, reads_burst, quotes_per_second, quotes_burst, expiry_policy, expiry_months, expiry_policy_since_micros) VALUES " +
            "($code, $name, $program, $kind, $status, $currency, $price, $earn_currency, $earn_points, $earn_per, $now, $now, " +
            "$writes_rate, $writes_burst, $reads_rate, $reads_burst, $quotes_rate, $quotes_burst, $expiry_policy, $expiry_months, $now)",
            [
                ("$code", p.ProgramCode), ("$name", p.DisplayName), ("$program", p.ProgramName), ("$kind", (int)p.Kind),
                ("$status", p.Suspended ? PartnerStatus.Suspended : PartnerStatus.Active), ("$currency", p.SettlementCurrency),
                ("$price", p.PointPriceMicros), ("$earn_currency", p.EarnRule?.CurrencyCode), ("$earn_points", p.EarnRule?.Points),
                ("$earn_per", p.EarnRule?.PerAmountMinor), ("$now", p.CreatedAt.ToUnixMicros()), .. LimitParameters(p.RateLimits),
                .. ExpiryParameters(p.ExpiryPolicy),
            ]);

    public void Update(PartnerRecord p, bool policyChanged) =>
        tx.Execute(
            "UPDATE partners SET display_name = $name, program_name = $program, kind = $kind, point_price_micros = $price, " +
            "earn_currency = $earn_currency, earn_points = $earn_points, earn_per_amount_minor = $earn_per, updated_at_micros = $now, " +
            "writes_per_second = $writes_rate, writes_burst = $writes_burst, reads_per_second = $reads_rate, " +
            "reads_burst = $reads_burst, quotes_per_second = $quotes_rate, quotes_burst = $quotes_burst, " +
            "expiry_policy = $expiry_policy, expiry_months = $expiry_months, " +
            // A new policy applies from now on: an inactivity clock starts no earlier (see ExpiryPolicy.InactivityDeadline).
            "expiry_policy_since_micros = CASE WHEN $policy_changed THEN $now ELSE expiry_policy_since_micros END WHERE program_code = $code",
            [
                ("$name", p.DisplayName), ("$program", p.ProgramName), ("$kind", (int)p.Kind), ("$price", p.PointPriceMicros),
                ("$earn_currency", p.EarnRule?.CurrencyCode), ("$earn_points", p.EarnRule?.Points), ("$earn_per", p.EarnRule?.PerAmountMinor),
                ("$now", p.UpdatedAt.ToUnixMicros()), ("$code", p.ProgramCode), ("$policy_changed", policyChanged),
                .. LimitParameters(p.RateLimits), .. ExpiryParameters(p.ExpiryPolicy),
            ]);

    public bool SetSuspended(string programCode, bool suspended, long atMicros) =>
        tx.Execute(
            "UPDATE partners SET status = $status, updated_at_micros = $now WHERE program_code = $code",
            ("$status", suspended ? PartnerStatus.Suspended : PartnerStatus.Active), ("$now", atMicros), ("$code", programCode)) == 1;

    /// <summary>The six nullable limit columns of a partner, in the order the SQL above names them.</summary>
    private static (string Name, SqlValue Value)[] LimitParameters(PartnerRateLimits limits) =>
    [
        ("$writes_rate", limits.Writes?.RequestsPerSecond), ("$writes_burst", limits.Writes?.Burst),
        ("$reads_rate", limits.Reads?.RequestsPerSecond), ("$reads_burst", limits.Reads?.Burst),
        ("$quotes_rate", limits.Quotes?.RequestsPerSecond), ("$quotes_burst", limits.Quotes?.Burst),
    ];

    /// <summary>The two expiry columns of a partner, as the SQL names them.</summary>
    private static (string Name, SqlValue Value)[] ExpiryParameters(ExpiryPolicy policy) =>
        [("$expiry_policy", (int)policy.Kind), ("$expiry_months", policy.Months)];
}

/// <summary>The exchange_rates table.</summary>
internal sealed class SqliteRateStore(SqliteWriteTransaction tx) : IRateStore
{
    internal const string RateColumns = RateRows.Columns;

    /// <inheritdoc cref="RateRows.InEffectSql"/>
    internal const string RateInEffectSql = RateRows.InEffectSql;

    public RateRecord? InEffect(string fromProgramCode, string toProgramCode, DateTimeOffset at)
    {
        using var reader = tx.Query(RateInEffectSql, ("@from", fromProgramCode), ("@to", toProgramCode), ("@at", at.ToUnixMicros()));
        return reader.Read() ? RateRows.Read(reader) : null;
    }

    public List<RateRecord> OutOf(string fromProgramCode, DateTimeOffset at)
    {
        using var reader = tx.Query(
            $"SELECT {RateColumns} FROM exchange_rates AS r WHERE from_program_code = $from AND enabled = 1 AND " +
            "(effective_at_micros > $at OR id = (SELECT id FROM exchange_rates WHERE from_program_code = r.from_program_code " +
            "AND to_program_code = r.to_program_code AND effective_at_micros <= $at ORDER BY effective_at_micros DESC, version DESC LIMIT 1))",
            ("$from", fromProgramCode), ("$at", at.ToUnixMicros()));
        var rates = new List<RateRecord>();
        while (reader.Read())
        {
            rates.Add(RateRows.Read(reader));
        }
        return rates;
    }

    public RateRecord? Find(long rateId)
    {
        using var reader = tx.Query($"SELECT {RateColumns} FROM exchange_rates WHERE id = $id", ("$id", rateId));
        return reader.Read() ? RateRows.Read(reader) : null;
    }

    public long LatestVersion(string fromProgramCode, string toProgramCode) =>
        tx.Scalar(
            "SELECT MAX(version) FROM exchange_rates WHERE from_program_code = $from AND to_program_code = $to",
            ("$from", fromProgramCode), ("$to", toProgramCode)) ?? 0;

    public long Insert(string fromProgramCode, string toProgramCode, long version, ExchangeRateTerms terms, DateTimeOffset effectiveAt, bool enabled) =>
        tx.Scalar(
            "INSERT INTO exchange_rates (from_program_code, to_program_code, version, from_points, to_points, min_source_points, " +
            "max_source_points, increment_points, member_fee_points, bonus_basis_points, bonus_starts_at_micros, " +
            "bonus_ends_at_micros, effective_at_micros, enabled, created_at_micros) VALUES ($from, $to, $version, $fp, $tp, " +
            "$min, $max, $inc, $fee, $bonus, $bonus_start, $bonus_end, $effective, $enabled, $now) RETURNING id",
            ("$from", fromProgramCode), ("$to", toProgramCode), ("$version", version), ("$fp", terms.FromPoints),
            ("$tp", terms.ToPoints), ("$min", terms.MinSourcePoints), ("$max", terms.MaxSourcePoints),
            ("$inc", terms.IncrementPoints), ("$fee", terms.MemberFeePoints), ("$bonus", terms.BonusBasisPoints),
            ("$bonus_start", terms.BonusStartsAt?.ToUnixMicros()), ("$bonus_end", terms.BonusEndsAt?.ToUnixMicros()),
            ("$effective", effectiveAt.ToUnixMicros()), ("$enabled", enabled), ("$now", tx.NowMicros))
        ?? throw new InvalidOperationException("INSERT … RETURNING gave no id.");
}

/// <summary>The api_keys table.</summary>
internal sealed class SqliteApiKeyStore(SqliteWriteTransaction tx) : IApiKeyStore
{
    public void Insert(ApiKeyRecord key, byte[] secretHash) =>
        tx.Execute(
            "INSERT INTO api_keys (key_id, role, program_code, label, secret_hash, created_at_micros) VALUES ($id, $role, $program, $label, $hash, $now)",
            ("$id", key.KeyId), ("$role", (int)key.Role), ("$program", key.ProgramCode), ("$label", key.Label), ("$hash", secretHash),
            ("$now", key.CreatedAt.ToUnixMicros()));

    public void Revoke(string keyId, long atMicros) =>
        tx.Execute(
            "UPDATE api_keys SET revoked_at_micros = $now WHERE key_id = $id AND revoked_at_micros IS NULL",
            ("$now", atMicros), ("$id", keyId));

    public ApiKeyRecord? Find(string keyId)
    {
        using var reader = tx.Query(
            "SELECT key_id, role, program_code, label, created_at_micros, revoked_at_micros FROM api_keys WHERE key_id = $id",
            ("$id", keyId));
        if (!reader.Read())
        {
            return null;
        }
        return new ApiKeyRecord(
            reader.GetString(0), (ApiKeyRole)reader.GetInt32(1), reader.IsDBNull(2) ? null : reader.GetString(2), reader.GetString(3),
            Time.FromMicros(reader.GetInt64(4)), reader.IsDBNull(5) ? null : Time.FromMicros(reader.GetInt64(5)));
    }
}
