using Google.Protobuf.WellKnownTypes;
using PartnerExchange.Ledger.Commands;
using PartnerExchange.V1;
using DomainEarnRule = PartnerExchange.Domain.Points.EarnRule;
using DomainExpiryPolicy = PartnerExchange.Domain.Expiry.ExpiryPolicy;

namespace PartnerExchange.Server.Mapping;

/// <summary>
/// Ledger records to protobuf messages. Enum values are numbered alike on both sides (checked by a test),
/// so they map by value.
/// </summary>
internal static class ProtoMapping
{
    public static Timestamp ToProto(this DateTimeOffset time) => Timestamp.FromDateTimeOffset(time);

    public static Transaction ToProto(this TransactionView view) => new()
    {
        TransactionId = view.TransactionId,
        Sequence = view.Sequence,
        Kind = (V1.TransactionKind)(int)view.Kind,
        ProgramCode = view.ProgramCode,
        MemberNumber = view.MemberNumber,
        Points = view.Points,
        AccrualReason = (AccrualReason)view.AccrualReason,
        Reference = view.Reference,
        CreateTime = view.CreatedAt.ToProto(),
        ReversedTransactionId = view.ReversedTransactionId ?? "",
        CounterpartyProgramCode = view.CounterpartyProgramCode ?? "",
        RateVersion = view.RateVersion ?? 0,
        FeePoints = view.FeePoints,
    };

    public static Member ToProto(this MemberRecord member) => new()
    {
        ProgramCode = member.ProgramCode,
        MemberNumber = member.MemberNumber,
        EnrollTime = member.EnrolledAt.ToProto(),
    };

    public static Partner ToProto(this PartnerRecord partner) => new()
    {
        ProgramCode = partner.ProgramCode,
        DisplayName = partner.DisplayName,
        ProgramName = partner.ProgramName,
        Kind = (V1.PartnerKind)(int)partner.Kind,
        Status = partner.Suspended ? PartnerStatus.Suspended : PartnerStatus.Active,
        SettlementCurrencyCode = partner.SettlementCurrency,
        PointPriceMicros = partner.PointPriceMicros,
        EarnRule = partner.EarnRule?.ToProto(),
        CreateTime = partner.CreatedAt.ToProto(),
        UpdateTime = partner.UpdatedAt.ToProto(),
        RateLimits = partner.RateLimits.ToProto(),
        ExpiryPolicy = partner.ExpiryPolicy.ToProto(),
    };

    // The proto enum keeps 0 for "unspecified", so each stored kind is one more on the wire.
    public static V1.ExpiryPolicy ToProto(this DomainExpiryPolicy policy) =>
        new() { Kind = (ExpiryPolicyKind)((int)policy.Kind + 1), Months = policy.Months };

    /// <summary>The domain policy, or null for an unset message or an UNSPECIFIED kind ("leave as it is").</summary>
    public static DomainExpiryPolicy? ToDomain(this V1.ExpiryPolicy? policy) =>
        policy is null || policy.Kind == ExpiryPolicyKind.Unspecified
            ? null
            : new DomainExpiryPolicy((Domain.Expiry.ExpiryPolicyKind)((int)policy.Kind - 1), policy.Months);

    public static V1.ExpiringPoints ToProto(this Ledger.Reading.ExpiringPoints expiring) => new()
    {
        WithinDays = expiring.WithinDays,
        Points = expiring.Points,
        FirstExpireTime = expiring.FirstExpiresAt?.ToProto(),
    };

    public static V1.PartnerRateLimits ToProto(this Ledger.Commands.PartnerRateLimits limits) => new()
    {
        Writes = limits.Writes?.ToProto(),
        Reads = limits.Reads?.ToProto(),
        Quotes = limits.Quotes?.ToProto(),
    };

    public static V1.RateLimit ToProto(this Ledger.Commands.RateLimit limit) =>
        new() { RequestsPerSecond = limit.RequestsPerSecond, Burst = limit.Burst };

    public static Ledger.Commands.PartnerRateLimits ToDomain(this V1.PartnerRateLimits limits) =>
        new(limits.Writes?.ToDomain(), limits.Reads?.ToDomain(), limits.Quotes?.ToDomain());

    public static Ledger.Commands.RateLimit ToDomain(this V1.RateLimit limit) => new(limit.RequestsPerSecond, limit.Burst);

    public static EarnRule ToProto(this DomainEarnRule rule) => new()
    {
        CurrencyCode = rule.CurrencyCode,
        Points = rule.Points,
        PerAmountMinor = rule.PerAmountMinor,
    };

    public static DomainEarnRule ToDomain(this EarnRule rule) => new(rule.CurrencyCode, rule.Points, rule.PerAmountMinor);

    public static ExchangeRate ToProto(this RateRecord rate) => new()
    {
        FromProgramCode = rate.FromProgramCode,
        ToProgramCode = rate.ToProgramCode,
        Version = rate.Version,
        FromPoints = rate.Terms.FromPoints,
        ToPoints = rate.Terms.ToPoints,
        MinSourcePoints = rate.Terms.MinSourcePoints,
        MaxSourcePoints = rate.Terms.MaxSourcePoints,
        IncrementPoints = rate.Terms.IncrementPoints,
        MemberFeePoints = rate.Terms.MemberFeePoints,
        BonusBasisPoints = rate.Terms.BonusBasisPoints,
        BonusStartTime = rate.Terms.BonusStartsAt?.ToProto(),
        BonusEndTime = rate.Terms.BonusEndsAt?.ToProto(),
        EffectiveTime = rate.EffectiveAt.ToProto(),
        Enabled = rate.Enabled,
        CreateTime = rate.CreatedAt.ToProto(),
    };

    public static ApiKey ToProto(this ApiKeyRecord key) => new()
    {
        KeyId = key.KeyId,
        Role = (V1.ApiKeyRole)(int)key.Role,
        ProgramCode = key.ProgramCode ?? "",
        Label = key.Label,
        CreateTime = key.CreatedAt.ToProto(),
        RevokeTime = key.RevokedAt?.ToProto(),
    };
}
