using PartnerExchange.Domain.Expiry;
using PartnerExchange.Domain.Ledger;
using PartnerExchange.Domain.Money;
using PartnerExchange.Domain.Points;
using PartnerExchange.Domain.Rates;

namespace PartnerExchange.Ledger.Commands;

/// <summary>What kind of business a partner is (values match the protos).</summary>
public enum PartnerKind
{
    /// <summary>An airline.</summary>
    Airline = 1,
    /// <summary>A hotel group.</summary>
    Hotel = 2,
    /// <summary>A retailer.</summary>
    Retailer = 3,
    /// <summary>A card issuer.</summary>
    CardIssuer = 4,
    /// <summary>A charity.</summary>
    Charity = 5,
    /// <summary>Anything else.</summary>
    Other = 6,
}

/// <summary>What an API key may do (values match the protos).</summary>
public enum ApiKeyRole
{
    /// <summary>Acts for one partner.</summary>
    Partner = 1,
    /// <summary>Acts on the admin API.</summary>
    Operator = 2,
}

/// <summary>A sustained request rate with a burst allowance.</summary>
public sealed record RateLimit(int RequestsPerSecond, int Burst);

/// <summary>A partner's own request limits per method class; null classes use the configured defaults.</summary>
public sealed record PartnerRateLimits(RateLimit? Writes, RateLimit? Reads, RateLimit? Quotes)
{
    /// <summary>No partner-specific limits.</summary>
    public static readonly PartnerRateLimits Defaults = new(null, null, null);
}

/// <summary>A partner and its program.</summary>
public sealed record PartnerRecord(
    string ProgramCode,
    string DisplayName,
    string ProgramName,
    PartnerKind Kind,
    bool Suspended,
    string SettlementCurrency,
    long PointPriceMicros,
    EarnRule? EarnRule,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    /// <summary>The partner's own request limits.</summary>
    public PartnerRateLimits RateLimits { get; init; } = PartnerRateLimits.Defaults;

    /// <summary>How the program's points expire.</summary>
    public ExpiryPolicy ExpiryPolicy { get; init; } = ExpiryPolicy.Never;
}

/// <summary>An enrolled member.</summary>
public sealed record MemberRecord(string ProgramCode, string MemberNumber, DateTimeOffset EnrolledAt);

/// <summary>One version of a directed exchange rate.</summary>
public sealed record RateRecord(
    long RateId,
    string FromProgramCode,
    string ToProgramCode,
    long Version,
    ExchangeRateTerms Terms,
    DateTimeOffset EffectiveAt,
    bool Enabled,
    DateTimeOffset CreatedAt);

/// <summary>An API key's metadata (never its secret).</summary>
public sealed record ApiKeyRecord(
    string KeyId,
    ApiKeyRole Role,
    string? ProgramCode,
    string Label,
    DateTimeOffset CreatedAt,
    DateTimeOffset? RevokedAt);

/// <summary>A transaction as one program sees it: the movement of that program's member.</summary>
public sealed record TransactionView(
    string TransactionId,
    long Sequence,
    TransactionKind Kind,
    string ProgramCode,
    string MemberNumber,
    long Points,
    int AccrualReason,
    string Reference,
    DateTimeOffset CreatedAt,
    string? ReversedTransactionId,
    string? CounterpartyProgramCode,
    long? RateVersion,
    long FeePoints);

/// <summary>A committed accrual, redemption or reversal and the member's balance right after it.</summary>
public sealed record PostedMovement(TransactionView Transaction, long BalancePoints);

/// <summary>A committed conversion: its terms, the rate version used and the settlement obligation.</summary>
public sealed record PostedConversion(
    TransactionView Transaction,
    long BalancePoints,
    ConversionTerms Terms,
    long RateVersion,
    SettlementAmount Settlement);
