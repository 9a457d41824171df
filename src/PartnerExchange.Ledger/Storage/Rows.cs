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
    /// <summary>The stored <c>ExpiryPolicyKind</c>: 0 none, 1 lot lifetime, 2 inactivity.</summary>
    public int ExpiryPolicy { get; set; }
    public int ExpiryMonths { get; set; }
    /// <summary>
    /// When the current expiry policy took effect (the program's creation, or its last change). An inactivity
    /// clock never starts before it.
    /// </summary>
    public long ExpiryPolicySinceMicros { get; set; }
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
    /// <summary>The last accrual, redemption or conversion of a member account (enrollment before any).</summary>
    public long LastActivityMicros { get; set; }

    // The account's postings summed by transaction kind, credits and debits apart (debits as positive numbers), kept
    // by the writer in the same update as the balance: a read of an account's totals is one row, however long its
    // history. The audit checks them against the postings.
    public long AccrualCreditPoints { get; set; }
    public long AccrualDebitPoints { get; set; }
    public long RedemptionCreditPoints { get; set; }
    public long RedemptionDebitPoints { get; set; }
    public long ConversionCreditPoints { get; set; }
    public long ConversionDebitPoints { get; set; }
    public long ReversalCreditPoints { get; set; }
    public long ReversalDebitPoints { get; set; }
    public long ExpiryCreditPoints { get; set; }
    public long ExpiryDebitPoints { get; set; }
    public long AdjustmentCreditPoints { get; set; }
    public long AdjustmentDebitPoints { get; set; }
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

/// <summary>
/// Per partner and currency, the absolute amounts of its obligations (as payer or payee) in no statement yet,
/// kept by the writer so a conversion that would make a period's totals unrepresentable is refused at once.
/// </summary>
internal sealed class OpenObligationTotalRow
{
    public required string ProgramCode { get; set; }
    public required string CurrencyCode { get; set; }
    public long OpenMicros { get; set; }
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
    /// <summary>
    /// The lowest ledger sequence of an obligation recorded in the period (0 when it holds none). With
    /// <see cref="LastSequence"/> it bounds where the period's statement lines are read, along the obligations' key.
    /// </summary>
    public long FirstSequence { get; set; }
    /// <summary>The highest ledger sequence of an obligation recorded in the period (0 when it holds none).</summary>
    public long LastSequence { get; set; }
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

internal sealed class PaymentRow
{
    public required string PaymentId { get; set; }
    public required string StatementId { get; set; }
    public long AmountMinor { get; set; }
    public required string Reference { get; set; }
    public long CreatedAtMicros { get; set; }
}

// Expiry rows: a lot is one credit to a member account; the sum of an account's remaining lot points is
// its balance. Lot movements record which lots each transaction took from or gave back to, so a reversal
// restores exactly the lots its original consumed.

internal sealed class PointLotRow
{
    public long Id { get; set; }
    public long AccountId { get; set; }
    /// <summary>The transaction that credited the lot (0 for balances carried over when lots were introduced).</summary>
    public long Sequence { get; set; }
    public long EarnedAtMicros { get; set; }
    /// <summary>When the lot expires under a lot-lifetime policy; null when it was credited without one.</summary>
    public long? ExpiresAtMicros { get; set; }
    public long OriginalPoints { get; set; }
    public long RemainingPoints { get; set; }
}

internal sealed class LotMovementRow
{
    public long Id { get; set; }
    public long Sequence { get; set; }
    public long LotId { get; set; }
    /// <summary>Negative when the transaction took points from the lot, positive when it gave them back.</summary>
    public long Points { get; set; }
}

internal sealed class ExpiryWarningRow
{
    public long AccountId { get; set; }
    /// <summary>The lot warned about, or 0 for a whole balance expiring through inactivity.</summary>
    public long LotId { get; set; }
    public int HorizonDays { get; set; }
    /// <summary>
    /// What the warned expiry runs from: a lot's expiry time, or an inactive balance's last activity (new
    /// activity starts a new period, which is warned about afresh).
    /// </summary>
    public long BasisMicros { get; set; }
    public long IssuedAtMicros { get; set; }
}

// The event outbox: written in the same transaction as the change it reports; the cursor is the row id,
// so cursors follow commit order.

internal sealed class EventRow
{
    public long Cursor { get; set; }
    public required string ProgramCode { get; set; }
    public int Kind { get; set; }
    public long OccurredAtMicros { get; set; }
    public string MemberNumber { get; set; } = "";
    public long Points { get; set; }
    public long BalancePoints { get; set; }
    public string? TransactionId { get; set; }
    public string? ReversesTransactionId { get; set; }
    public string? CounterpartyProgramCode { get; set; }
    public long? ExpiresAtMicros { get; set; }
    public int WarningDays { get; set; }
    public string? FromProgramCode { get; set; }
    public string? ToProgramCode { get; set; }
    public long RateVersion { get; set; }
}

/// <summary>
/// How far the event outbox has been pruned. The row of the empty program code is the whole outbox: every event up
/// to its cursor is gone, and every later one is still there. Each program's row holds the cursor of its newest
/// pruned event: a stream of that program resuming before it would have missed events, and is told so.
/// </summary>
internal sealed class EventRetentionRow
{
    public required string ProgramCode { get; set; }
    public long PrunedThroughCursor { get; set; }
    // For the whole outbox: the newest transaction whose events were pruned (the audit checks events after it only).
    public long PrunedThroughSequence { get; set; }
    public long PrunedAtMicros { get; set; }
}
