using PartnerExchange.Domain;
using PartnerExchange.Domain.Expiry;
using PartnerExchange.Domain.Ledger;
using PartnerExchange.Domain.Points;
using PartnerExchange.Domain.Rates;
using PartnerExchange.Ledger.Writing;

namespace PartnerExchange.Ledger.Commands;

/// <summary>Registers a partner and its program, active.</summary>
public sealed record CreatePartner(
    string ProgramCode,
    string DisplayName,
    string ProgramName,
    PartnerKind Kind,
    string SettlementCurrency,
    long PointPriceMicros,
    EarnRule? EarnRule,
    PartnerRateLimits? RateLimits = null,
    ExpiryPolicy? ExpiryPolicy = null) : LedgerCommand<PartnerRecord>
{
    internal override Outcome<PartnerRecord> Execute(WriteSession session)
    {
        if (Lookups.Partner(session, ProgramCode) is not null)
        {
            return Refusal.Of(ErrorReason.ProgramCodeTaken, "Another partner already has this program code.");
        }
        session.Execute(
            "INSERT INTO partners (program_code, display_name, program_name, kind, status, settlement_currency, point_price_micros, " +
            "earn_currency, earn_points, earn_per_amount_minor, created_at_micros, updated_at_micros, writes_per_second, " +
            "writes_burst, reads_per_second, reads_burst, quotes_per_second, quotes_burst, expiry_policy, expiry_months, expiry_policy_since_micros) VALUES " +
            "($code, $name, $program, $kind, $status, $currency, $price, $earn_currency, $earn_points, $earn_per, $now, $now, " +
            "$writes_rate, $writes_burst, $reads_rate, $reads_burst, $quotes_rate, $quotes_burst, $expiry_policy, $expiry_months, $now)",
            [
                ("$code", ProgramCode), ("$name", DisplayName), ("$program", ProgramName), ("$kind", (int)Kind),
                ("$status", PartnerStatus.Active), ("$currency", SettlementCurrency), ("$price", PointPriceMicros),
                ("$earn_currency", EarnRule?.CurrencyCode), ("$earn_points", EarnRule?.Points), ("$earn_per", EarnRule?.PerAmountMinor),
                ("$now", session.NowMicros), .. Lookups.LimitParameters(RateLimits ?? PartnerRateLimits.Defaults),
                .. Lookups.ExpiryParameters(ExpiryPolicy ?? Domain.Expiry.ExpiryPolicy.Never),
            ]);
        return Lookups.Partner(session, ProgramCode)!;
    }
}

/// <summary>Changes the given fields of a partner; null fields stay as they are.</summary>
public sealed record UpdatePartner(
    string ProgramCode,
    string? DisplayName,
    string? ProgramName,
    PartnerKind? Kind,
    long? PointPriceMicros,
    EarnRule? EarnRule,
    PartnerRateLimits? RateLimits = null,
    ExpiryPolicy? ExpiryPolicy = null) : LedgerCommand<PartnerRecord>
{
    internal override Outcome<PartnerRecord> Execute(WriteSession session)
    {
        var current = Lookups.Partner(session, ProgramCode);
        if (current is null)
        {
            return Partners.NotFound(ProgramCode);
        }
        var earn = EarnRule ?? current.EarnRule;
        var policyChanged = ExpiryPolicy is not null && ExpiryPolicy != current.ExpiryPolicy;
        session.Execute(
            "UPDATE partners SET display_name = $name, program_name = $program, kind = $kind, point_price_micros = $price, " +
            "earn_currency = $earn_currency, earn_points = $earn_points, earn_per_amount_minor = $earn_per, updated_at_micros = $now, " +
            "writes_per_second = $writes_rate, writes_burst = $writes_burst, reads_per_second = $reads_rate, " +
            "reads_burst = $reads_burst, quotes_per_second = $quotes_rate, quotes_burst = $quotes_burst, " +
            "expiry_policy = $expiry_policy, expiry_months = $expiry_months, " +
            // A new policy applies from now on: an inactivity clock starts no earlier (see ExpiryPolicy.InactivityDeadline).
            "expiry_policy_since_micros = CASE WHEN $policy_changed THEN $now ELSE expiry_policy_since_micros END WHERE program_code = $code",
            [
                ("$name", DisplayName ?? current.DisplayName), ("$program", ProgramName ?? current.ProgramName),
                ("$kind", (int)(Kind ?? current.Kind)), ("$price", PointPriceMicros ?? current.PointPriceMicros),
                ("$earn_currency", earn?.CurrencyCode), ("$earn_points", earn?.Points), ("$earn_per", earn?.PerAmountMinor),
                ("$now", session.NowMicros), ("$code", ProgramCode), ("$policy_changed", policyChanged),
                .. Lookups.LimitParameters(RateLimits ?? current.RateLimits),
                .. Lookups.ExpiryParameters(ExpiryPolicy ?? current.ExpiryPolicy),
            ]);
        if (policyChanged)
        {
            LedgerEvents.Append(session, new NewEvent(ProgramCode, EventKind.ExpiryPolicyChanged));
        }
        return Lookups.Partner(session, ProgramCode)!;
    }
}

/// <summary>Suspends or resumes a partner.</summary>
public sealed record SetPartnerSuspended(string ProgramCode, bool Suspended) : LedgerCommand<PartnerRecord>
{
    internal override Outcome<PartnerRecord> Execute(WriteSession session)
    {
        var updated = session.Execute(
            "UPDATE partners SET status = $status, updated_at_micros = $now WHERE program_code = $code",
            ("$status", Suspended ? PartnerStatus.Suspended : PartnerStatus.Active), ("$now", session.NowMicros),
            ("$code", ProgramCode));
        return updated == 1
            ? Lookups.Partner(session, ProgramCode)!
            : Partners.NotFound(ProgramCode);
    }
}

/// <summary>Adds a new version of the directed rate between two programs.</summary>
public sealed record SetExchangeRate(
    string FromProgramCode,
    string ToProgramCode,
    ExchangeRateTerms Terms,
    DateTimeOffset? EffectiveAt,
    bool Enabled) : LedgerCommand<RateRecord>
{
    internal override Outcome<RateRecord> Execute(WriteSession session)
    {
        foreach (var code in new[] { FromProgramCode, ToProgramCode })
        {
            if (Lookups.Partner(session, code) is null)
            {
                return Partners.NotFound(code);
            }
        }
        var effectiveAt = EffectiveAt ?? session.Now;
        // A network where converting round a cycle of programs gains points can be drained; every version of
        // every rate that is or will be in effect counts.
        if (Enabled && Arbitrage.GainingCycle(new RateEdge(FromProgramCode, ToProgramCode, Terms), RatesOnTheWayBack(session)) is { } cycle)
        {
            return Refusal.Of(ErrorReason.RateAllowsArbitrage,
                $"Converting round {string.Join(" → ", cycle)} could return more points than it took.",
                ("cycle", string.Join(",", cycle)));
        }
        var version = (session.Scalar(
            "SELECT MAX(version) FROM exchange_rates WHERE from_program_code = $from AND to_program_code = $to",
            ("$from", FromProgramCode), ("$to", ToProgramCode)) ?? 0) + 1;
        var id = session.Scalar(
            "INSERT INTO exchange_rates (from_program_code, to_program_code, version, from_points, to_points, min_source_points, " +
            "max_source_points, increment_points, member_fee_points, bonus_basis_points, bonus_starts_at_micros, " +
            "bonus_ends_at_micros, effective_at_micros, enabled, created_at_micros) VALUES ($from, $to, $version, $fp, $tp, " +
            "$min, $max, $inc, $fee, $bonus, $bonus_start, $bonus_end, $effective, $enabled, $now) RETURNING id",
            ("$from", FromProgramCode), ("$to", ToProgramCode), ("$version", version), ("$fp", Terms.FromPoints),
            ("$tp", Terms.ToPoints), ("$min", Terms.MinSourcePoints), ("$max", Terms.MaxSourcePoints),
            ("$inc", Terms.IncrementPoints), ("$fee", Terms.MemberFeePoints), ("$bonus", Terms.BonusBasisPoints),
            ("$bonus_start", Terms.BonusStartsAt?.ToUnixMicros()), ("$bonus_end", Terms.BonusEndsAt?.ToUnixMicros()),
            ("$effective", effectiveAt.ToUnixMicros()), ("$enabled", Enabled), ("$now", session.NowMicros));
        // Both programs hear of it: the source's members can convert out on new terms, the destination receives on them.
        foreach (var program in new[] { FromProgramCode, ToProgramCode })
        {
            LedgerEvents.Append(session, new NewEvent(program, EventKind.ExchangeRateChanged)
            {
                FromProgramCode = FromProgramCode, ToProgramCode = ToProgramCode, RateVersion = version,
            });
        }
        return Lookups.RateById(session, id!.Value)!;
    }

    /// <summary>
    /// The rates a cycle through this one could use to come back: every enabled version in effect now or later
    /// of every rate out of a program reachable from this rate's destination, up to (not past) its source.
    /// </summary>
    private List<RateEdge> RatesOnTheWayBack(WriteSession session)
    {
        var rates = new List<RateEdge>();
        var reached = new HashSet<string>(StringComparer.Ordinal) { ToProgramCode };
        var frontier = new Queue<string>([ToProgramCode]);
        while (frontier.TryDequeue(out var program))
        {
            foreach (var rate in Lookups.RatesOutOf(session, program, session.Now))
            {
                rates.Add(new RateEdge(rate.FromProgramCode, rate.ToProgramCode, rate.Terms));
                if (rate.ToProgramCode != FromProgramCode && reached.Add(rate.ToProgramCode))
                {
                    frontier.Enqueue(rate.ToProgramCode);
                }
            }
        }
        return rates;
    }
}

/// <summary>
/// An operator's adjustment of a member's balance (signed points), with the operator's reason recorded as the
/// transaction's reference. Not member activity: a debit takes the oldest points first, expired ones included.
/// </summary>
public sealed record AdjustBalance(string ProgramCode, string MemberNumber, long Points, string Reason) : LedgerCommand<PostedMovement>
{
    internal override Outcome<PostedMovement> Execute(WriteSession session)
    {
        // A suspension stops the partner from moving points, not the operators who correct them.
        if (Lookups.Partner(session, ProgramCode) is null)
        {
            return Partners.NotFound(ProgramCode);
        }
        if (!Lookups.IsEnrolled(session, ProgramCode, MemberNumber))
        {
            return Refusal.Of(ErrorReason.MemberNotFound, "No member with this number is enrolled in the program.");
        }
        var header = new NewTransaction(TransactionKind.Adjustment, ProgramCode, Reason);
        return TransactionWriter.Post(session, header, PostingRules.Adjustment(ProgramCode, MemberNumber, Points));
    }
}

/// <summary>Stores a new API key by the hash of its secret.</summary>
public sealed record CreateApiKey(string KeyId, byte[] SecretHash, ApiKeyRole Role, string? ProgramCode, string Label)
    : LedgerCommand<ApiKeyRecord>
{
    internal override Outcome<ApiKeyRecord> Execute(WriteSession session)
    {
        if (ProgramCode is not null && Lookups.Partner(session, ProgramCode) is null)
        {
            return Partners.NotFound(ProgramCode);
        }
        session.Execute(
            "INSERT INTO api_keys (key_id, role, program_code, label, secret_hash, created_at_micros) VALUES ($id, $role, $program, $label, $hash, $now)",
            ("$id", KeyId), ("$role", (int)Role), ("$program", ProgramCode), ("$label", Label), ("$hash", SecretHash),
            ("$now", session.NowMicros));
        return new ApiKeyRecord(KeyId, Role, ProgramCode, Label, session.Now, null);
    }
}

/// <summary>Revokes an API key; revoking a revoked key keeps its first revocation time.</summary>
public sealed record RevokeApiKey(string KeyId) : LedgerCommand<ApiKeyRecord>
{
    internal override Outcome<ApiKeyRecord> Execute(WriteSession session)
    {
        session.Execute(
            "UPDATE api_keys SET revoked_at_micros = $now WHERE key_id = $id AND revoked_at_micros IS NULL",
            ("$now", session.NowMicros), ("$id", KeyId));
        using var reader = session.Query(
            "SELECT key_id, role, program_code, label, created_at_micros, revoked_at_micros FROM api_keys WHERE key_id = $id",
            ("$id", KeyId));
        if (!reader.Read())
        {
            return Refusal.Of(ErrorReason.ApiKeyNotFound, "No API key has this id.");
        }
        return new ApiKeyRecord(
            reader.GetString(0), (ApiKeyRole)reader.GetInt32(1), reader.IsDBNull(2) ? null : reader.GetString(2), reader.GetString(3),
            Time.FromMicros(reader.GetInt64(4)), Time.FromMicros(reader.GetInt64(5)));
    }
}
