using PartnerExchange.Domain;
using PartnerExchange.Domain.Money;
using PartnerExchange.Domain.Points;
using PartnerExchange.Domain.Rates;
using PartnerExchange.Server.Errors;
using PartnerExchange.Server.Hosting;
using PartnerExchange.Server.Mapping;
using PartnerExchange.Server.Paging;
using PartnerExchange.V1;
using ErrorReason = PartnerExchange.Domain.ErrorReason;

namespace PartnerExchange.Server.Validation;

/// <summary>Field checks of the Admin service's requests.</summary>
internal static class AdminValidation
{
    /// <summary>Highest point price accepted: 1,000 currency units per point.</summary>
    public const long MaxPointPriceMicros = 1_000_000_000;
    private const int KeyIdMaxLength = 64;

    public static void Validate(this CreatePartnerRequest request) =>
        new FieldChecks()
            .Add(Identifiers.IdempotencyKey(request.IdempotencyKey, "idempotency_key"))
            .Add(Identifiers.ProgramCode(request.ProgramCode, "program_code"))
            .Add(Identifiers.Name(request.DisplayName, "display_name"))
            .Add(Identifiers.Name(request.ProgramName, "program_name"))
            .Require(IsKnown(request.Kind), "kind", "must be a known partner kind")
            .Require(Currencies.IsKnown(request.SettlementCurrencyCode), "settlement_currency_code", "must be a supported ISO 4217 code")
            .Add(PointPrice(request.PointPriceMicros))
            .Add(request.EarnRule is null ? [] : Domain.Points.EarnRule.Validate(request.EarnRule.ToDomain(), "earn_rule"))
            .Add(Limits(request.RateLimits))
            .Add(Expiry(request.ExpiryPolicy))
            .ThrowIfInvalid();

    public static void Validate(this UpdatePartnerRequest request)
    {
        var checks = new FieldChecks()
            .Add(Identifiers.IdempotencyKey(request.IdempotencyKey, "idempotency_key"))
            .Add(Identifiers.ProgramCode(request.ProgramCode, "program_code"))
            .Require(request.Kind == V1.PartnerKind.Unspecified || IsKnown(request.Kind), "kind", "must be a known partner kind")
            .Add(request.EarnRule is null ? [] : Domain.Points.EarnRule.Validate(request.EarnRule.ToDomain(), "earn_rule"))
            .Add(Limits(request.RateLimits))
            .Add(Expiry(request.ExpiryPolicy));
        if (request.HasDisplayName)
        {
            checks.Add(Identifiers.Name(request.DisplayName, "display_name"));
        }
        if (request.HasProgramName)
        {
            checks.Add(Identifiers.Name(request.ProgramName, "program_name"));
        }
        if (request.HasPointPriceMicros)
        {
            checks.Add(PointPrice(request.PointPriceMicros));
        }
        checks.ThrowIfInvalid();
    }

    public static void Validate(this SetExchangeRateRequest request)
    {
        new FieldChecks()
            .Add(Identifiers.IdempotencyKey(request.IdempotencyKey, "idempotency_key"))
            .Add(Identifiers.ProgramCode(request.FromProgramCode, "from_program_code"))
            .Add(Identifiers.ProgramCode(request.ToProgramCode, "to_program_code"))
            .Add(TimeChecks.Range(request.BonusStartTime, request.BonusEndTime, "bonus_start_time", "bonus_end_time"))
            .Add(TimeChecks.Valid(request.EffectiveTime, "effective_time"))
            .ThrowIfInvalid();
        new FieldChecks().Add(ExchangeRateTerms.Validate(request.ToTerms())).ThrowIfInvalid();
        if (request.FromProgramCode == request.ToProgramCode)
        {
            throw RpcErrors.ToException(Refusal.Of(ErrorReason.SameProgram, "A rate must lead from one program into another."));
        }
    }

    public static ExchangeRateTerms ToTerms(this SetExchangeRateRequest request) =>
        new(request.FromPoints, request.ToPoints, request.MinSourcePoints, request.MaxSourcePoints, request.IncrementPoints,
            request.MemberFeePoints, request.BonusBasisPoints, request.BonusStartTime?.ToDateTimeOffset(),
            request.BonusEndTime?.ToDateTimeOffset());

    public static void Validate(this ListExchangeRatesRequest request, ExchangeOptions options) =>
        new FieldChecks()
            .Add(request.FromProgramCode.Length == 0 ? null : Identifiers.ProgramCode(request.FromProgramCode, "from_program_code"))
            .Add(request.ToProgramCode.Length == 0 ? null : Identifiers.ProgramCode(request.ToProgramCode, "to_program_code"))
            .Add(PageTokens.CheckPageSize(request.PageSize, options))
            .ThrowIfInvalid();

    public static void Validate(this CreateApiKeyRequest request)
    {
        var checks = new FieldChecks()
            .Add(Identifiers.IdempotencyKey(request.IdempotencyKey, "idempotency_key"))
            .Add(Identifiers.Label(request.Label, "label"));
        switch (request.Role)
        {
            case V1.ApiKeyRole.Partner:
                checks.Add(Identifiers.ProgramCode(request.ProgramCode, "program_code"));
                break;
            case V1.ApiKeyRole.Operator:
                checks.Require(request.ProgramCode.Length == 0, "program_code", "must be empty for operator keys");
                break;
            default:
                checks.Require(false, "role", "must be PARTNER or OPERATOR");
                break;
        }
        checks.ThrowIfInvalid();
    }

    public static void Validate(this ListApiKeysRequest request, ExchangeOptions options) =>
        new FieldChecks()
            .Add(request.ProgramCode.Length == 0 ? null : Identifiers.ProgramCode(request.ProgramCode, "program_code"))
            .Add(PageTokens.CheckPageSize(request.PageSize, options))
            .ThrowIfInvalid();

    public static void Validate(this RevokeApiKeyRequest request) =>
        new FieldChecks()
            .Add(Identifiers.IdempotencyKey(request.IdempotencyKey, "idempotency_key"))
            .Require(request.KeyId.Length is > 0 and <= KeyIdMaxLength, "key_id", $"must be a key id of 1–{KeyIdMaxLength} characters")
            .ThrowIfInvalid();

    public static void ValidateProgramCode(string programCode, string idempotencyKey, bool withKey) =>
        new FieldChecks()
            .Add(withKey ? Identifiers.IdempotencyKey(idempotencyKey, "idempotency_key") : null)
            .Add(Identifiers.ProgramCode(programCode, "program_code"))
            .ThrowIfInvalid();

    /// <summary>Highest sustained rate a partner may be given per class.</summary>
    public const int MaxRequestsPerSecond = 1_000_000;

    /// <summary>Largest burst a partner may be given per class.</summary>
    public const int MaxBurst = 10_000_000;

    private static IEnumerable<FieldViolation> Limits(PartnerRateLimits? limits)
    {
        foreach (var (limit, name) in new[] { (limits?.Writes, "writes"), (limits?.Reads, "reads"), (limits?.Quotes, "quotes") })
        {
            if (limit is null)
            {
                continue;
            }
            if (limit.RequestsPerSecond is < 1 or > MaxRequestsPerSecond)
            {
                yield return new FieldViolation($"rate_limits.{name}.requests_per_second", $"must be between 1 and {MaxRequestsPerSecond}");
            }
            if (limit.Burst is < 1 or > MaxBurst)
            {
                yield return new FieldViolation($"rate_limits.{name}.burst", $"must be between 1 and {MaxBurst}");
            }
        }
    }

    /// <summary>An unset policy or an UNSPECIFIED kind means "leave as it is" (on create: never expire).</summary>
    private static FieldViolation? Expiry(V1.ExpiryPolicy? policy)
    {
        if (policy is null || policy.Kind == ExpiryPolicyKind.Unspecified)
        {
            return policy is { Months: not 0 } ? new FieldViolation("expiry_policy.kind", "must be set when months are given") : null;
        }
        if (!Enum.IsDefined(policy.Kind))
        {
            return new FieldViolation("expiry_policy.kind", "must be a known expiry policy kind");
        }
        return policy.ToDomain()!.IsValid
            ? null
            : new FieldViolation("expiry_policy.months",
                $"must be 0 for NONE and between 1 and {Domain.Expiry.ExpiryPolicy.MaxMonths} for LOT_LIFETIME and INACTIVITY");
    }

    /// <summary>As of a moment: unset (now), a valid time, and in the future only for a dry run.</summary>
    public static void Validate(this AdjustBalanceRequest request, long maxPoints) =>
        new FieldChecks()
            .Add(Identifiers.IdempotencyKey(request.IdempotencyKey, "idempotency_key"))
            .Add(Identifiers.ProgramCode(request.ProgramCode, "program_code"))
            .Add(Identifiers.MemberNumber(request.MemberNumber, "member_number"))
            .Add(Identifiers.SignedPoints(request.Points, "points", maxPoints))
            .Add(Identifiers.Reason(request.Reason, "reason"))
            .ThrowIfInvalid();

    public static void Validate(this RunExpiryRequest request, DateTimeOffset now)
    {
        var checks = new FieldChecks()
            .Add(Identifiers.IdempotencyKey(request.IdempotencyKey, "idempotency_key"))
            .Add(request.ProgramCode.Length == 0 ? null : Identifiers.ProgramCode(request.ProgramCode, "program_code"))
            .Add(TimeChecks.Valid(request.AsOfTime, "as_of_time"));
        checks.ThrowIfInvalid();
        new FieldChecks()
            .Require(request.DryRun || request.AsOfTime is null || request.AsOfTime.ToDateTimeOffset() <= now, "as_of_time",
                "must not be in the future unless dry_run is set")
            .ThrowIfInvalid();
    }

    private static FieldViolation? PointPrice(long micros) =>
        micros is >= 1 and <= MaxPointPriceMicros ? null : new FieldViolation("point_price_micros", $"must be between 1 and {MaxPointPriceMicros}");

    private static bool IsKnown(V1.PartnerKind kind) => kind != V1.PartnerKind.Unspecified && Enum.IsDefined(kind);
}
