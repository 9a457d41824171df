using PartnerExchange.Domain.Settlement;
using PartnerExchange.Ledger.Settlement;

namespace PartnerExchange.Ledger.Stores;

/// <summary>Settlement periods, their statements and payments.</summary>
internal interface ISettlementStore
{
    /// <summary>The end (exclusive) of the latest closed period, 0 when none is closed.</summary>
    long LatestClosedPeriodEndMicros();

    /// <summary>The id of the period closed with exactly these bounds, or null.</summary>
    string? FindPeriodId(PeriodBounds bounds);

    /// <summary>The id of the earliest closed period overlapping these bounds, or null.</summary>
    string? FindOverlappingPeriodId(PeriodBounds bounds);

    /// <summary>
    /// The obligations recorded in the bounds, in sequence order (none of them is in a statement while the bounds are
    /// not closed); with <paramref name="afterSequence"/>, only those after it.
    /// </summary>
    List<Obligation> ObligationsRecordedIn(PeriodBounds bounds, long? afterSequence = null);

    /// <summary>Stores a closed period's row: its bounds, hash and the sequence span of its obligations.</summary>
    void InsertPeriod(StoredPeriod period);

    void InsertStatement(StatementRecord statement);

    /// <summary>A closed period's row, or null.</summary>
    StoredPeriod? FindPeriod(string periodId);

    /// <summary>A closed period's statements as they stand now (paid amounts included), in no particular order.</summary>
    List<StatementRecord> StatementsOf(string periodId);

    StatementRecord? FindStatement(string statementId);

    void InsertPayment(string statementId, PaymentRecord payment);
}

/// <summary>
/// A closed period's row: bounds in microseconds, when it was closed, its content hash and the lowest and highest
/// sequence of its obligations ((0, 0) when it has none).
/// </summary>
internal sealed record StoredPeriod(
    string PeriodId, PeriodBounds Bounds, long ClosedAtMicros, string ContentHash, long FirstSequence, long LastSequence);
