using PartnerExchange.Domain.Ledger;
using PartnerExchange.Domain.Settlement;

namespace PartnerExchange.Ledger.Settlement;

/// <summary>A stored statement with what has been paid against it so far.</summary>
public sealed record StatementRecord(
    string StatementId,
    string PeriodId,
    StatementParties Parties,
    StatementTotals Totals,
    long PaidMinor,
    string ContentHash,
    DateTimeOffset CreatedAt)
{
    /// <summary>Open, partially paid or settled, from the amount (or refund) due and the payments.</summary>
    public StatementStatus Status => Payments.StatusOf(Totals.SettlementDueMinor, PaidMinor);
}

/// <summary>A closed period with its statement count, the partners' net positions and its content hash.</summary>
public sealed record PeriodRecord(
    string PeriodId,
    DateTimeOffset Start,
    DateTimeOffset End,
    DateTimeOffset ClosedAt,
    int StatementCount,
    IReadOnlyList<NetPosition> NetPositions,
    string ContentHash);

/// <summary>A period as closing it answers: the period and all of its statements.</summary>
public sealed record ClosedPeriod(PeriodRecord Period, IReadOnlyList<StatementRecord> Statements);

/// <summary>A payment recorded against a statement.</summary>
public sealed record PaymentRecord(string PaymentId, long AmountMinor, string Reference, DateTimeOffset CreatedAt);

/// <summary>A statement after a payment, and the payment.</summary>
public sealed record RecordedPayment(StatementRecord Statement, PaymentRecord Payment);

/// <summary>A statement with its payments, oldest first.</summary>
public sealed record StatementDetail(StatementRecord Statement, IReadOnlyList<PaymentRecord> Payments);

/// <summary>One line of a statement as exported: the obligation, its transaction and the members on both sides.</summary>
public sealed record StatementLineRecord(
    long Sequence,
    string TransactionId,
    TransactionKind Kind,
    DateTimeOffset CreatedAt,
    string SourceMemberNumber,
    string DestinationMemberNumber,
    long DestinationPoints,
    long AmountMicros,
    long AmountMinor,
    string? ReversedTransactionId);
