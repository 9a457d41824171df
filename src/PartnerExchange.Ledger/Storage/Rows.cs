namespace PartnerExchange.Ledger.Storage;

// Storage rows. Times are Unix microseconds (exact, sortable, provider-neutral); points and money are
// int64. Ledger rows (transactions, postings, obligations, idempotency records) are append-only; only
// configuration (partners, keys) and the derived account balance are ever updated.

internal sealed class PartnerRow
{
    public required string ProgramCode { get; set; }
    public required string DisplayName { get; set; }
    public required string ProgramName { get; set; }
    public int Kind { get; set; }
    public int Status { get; set; }
    public required string SettlementCurrency { get; set; }
    public long PointPriceMicros { get; set; }
    public string? EarnCurrency { get; set; }
    public long? EarnPoints { get; set; }
    public long? EarnPerAmountMinor { get; set; }
    public long CreatedAtMicros { get; set; }
    public long UpdatedAtMicros { get; set; }
    public int? WritesPerSecond { get; set; }
    public int? WritesBurst { get; set; }
    public int? ReadsPerSecond { get; set; }
    public int? ReadsBurst { get; set; }
    public int? QuotesPerSecond { get; set; }
    public int? QuotesBurst { get; set; }
}

internal sealed class ApiKeyRow
{
    public required string KeyId { get; set; }
    public int Role { get; set; }
    public string? ProgramCode { get; set; }
    public required string Label { get; set; }
    public required byte[] SecretHash { get; set; }
    public long CreatedAtMicros { get; set; }
    public long? RevokedAtMicros { get; set; }
}

internal sealed class AccountRow
{
    public long Id { get; set; }
    public required string ProgramCode { get; set; }
    public int Kind { get; set; }
    /// <summary>The member number for member accounts, empty for system accounts (so the unique key holds).</summary>
    public required string MemberNumber { get; set; }
    public long BalancePoints { get; set; }
    public long CreatedAtMicros { get; set; }
    public long LastSequence { get; set; }
}

internal sealed class TransactionRow
{
    public long Sequence { get; set; }
    public required string TransactionId { get; set; }
    public int Kind { get; set; }
    public string? RequesterProgramCode { get; set; }
    public required string ApiKeyId { get; set; }
    public required string IdempotencyKey { get; set; }
    public required byte[] RequestFingerprint { get; set; }
    public long CreatedAtMicros { get; set; }
    public string Reference { get; set; } = "";
    public int AccrualReason { get; set; }
    public long? ReversesSequence { get; set; }
    public string? ReversesTransactionId { get; set; }
    public long? RateId { get; set; }
    public long? RateVersion { get; set; }
    public string? CounterpartyProgramCode { get; set; }
    public long FeePoints { get; set; }
}

internal sealed class PostingRow
{
    public long Id { get; set; }
    public long Sequence { get; set; }
    public long AccountId { get; set; }
    public required string ProgramCode { get; set; }
    public int AccountKind { get; set; }
    public required string MemberNumber { get; set; }
    public long AmountPoints { get; set; }
}

internal sealed class ObligationRow
{
    public long Sequence { get; set; }
    public required string PayerProgramCode { get; set; }
    public required string PayeeProgramCode { get; set; }
    public long DestinationPoints { get; set; }
    public long PointPriceMicros { get; set; }
    public required string CurrencyCode { get; set; }
    public long AmountMicros { get; set; }
    public long AmountMinor { get; set; }
    public long CreatedAtMicros { get; set; }
}

internal sealed class RateRow
{
    public long Id { get; set; }
    public required string FromProgramCode { get; set; }
    public required string ToProgramCode { get; set; }
    public long Version { get; set; }
    public long FromPoints { get; set; }
    public long ToPoints { get; set; }
    public long MinSourcePoints { get; set; }
    public long MaxSourcePoints { get; set; }
    public long IncrementPoints { get; set; }
    public long MemberFeePoints { get; set; }
    public int BonusBasisPoints { get; set; }
    public long? BonusStartsAtMicros { get; set; }
    public long? BonusEndsAtMicros { get; set; }
    public long EffectiveAtMicros { get; set; }
    public bool Enabled { get; set; }
    public long CreatedAtMicros { get; set; }
}

internal sealed class IdempotencyRow
{
    public required string Principal { get; set; }
    public required string IdempotencyKey { get; set; }
    public required string Method { get; set; }
    public required byte[] RequestFingerprint { get; set; }
    public bool IsRefusal { get; set; }
    public required byte[] Response { get; set; }
    public long CreatedAtMicros { get; set; }
}

internal sealed class SettingRow
{
    public required string Name { get; set; }
    public required byte[] Value { get; set; }
}

// Settlement rows: periods, statements and their lines are immutable once written; payments are appended.

internal sealed class SettlementPeriodRow
{
    public required string PeriodId { get; set; }
    public long StartMicros { get; set; }
    public long EndMicros { get; set; }
    public long ClosedAtMicros { get; set; }
    public required string ContentHash { get; set; }
}

internal sealed class StatementRow
{
    public required string StatementId { get; set; }
    public required string PeriodId { get; set; }
    public required string PayerProgramCode { get; set; }
    public required string PayeeProgramCode { get; set; }
    public required string CurrencyCode { get; set; }
    public int LineCount { get; set; }
    public long DestinationPoints { get; set; }
    public long GrossAmountMicros { get; set; }
    public long GrossAmountMinor { get; set; }
    public long NetworkFeeMinor { get; set; }
    public long AmountDueMinor { get; set; }
    public required string ContentHash { get; set; }
    public long CreatedAtMicros { get; set; }
}

internal sealed class StatementLineRow
{
    public required string StatementId { get; set; }
    /// <summary>The obligation's ledger sequence; unique, so an obligation belongs to exactly one statement.</summary>
    public long Sequence { get; set; }
}

internal sealed class PaymentRow
{
    public required string PaymentId { get; set; }
    public required string StatementId { get; set; }
    public long AmountMinor { get; set; }
    public required string Reference { get; set; }
    public long CreatedAtMicros { get; set; }
}
