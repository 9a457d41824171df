namespace PartnerExchange.Domain.Settlement;

/// <summary>A period's bounds [start, end) in Unix microseconds, the precision the ledger stores.</summary>
/// <param name="StartMicros">Start, inclusive.</param>
/// <param name="EndMicros">End, exclusive.</param>
public sealed record PeriodBounds(long StartMicros, long EndMicros);

/// <summary>One obligation as a statement line: a conversion (positive) or the reversal of one (negative).</summary>
/// <param name="Sequence">The ledger sequence of the transaction that recorded the obligation.</param>
/// <param name="TransactionId">That transaction's id.</param>
/// <param name="DestinationPoints">Destination points, negative for a reversal.</param>
/// <param name="AmountMicros">The exact amount in micro-units, negative for a reversal.</param>
/// <param name="AmountMinor">The amount in minor units, rounded half away from zero.</param>
public sealed record ObligationLine(long Sequence, string TransactionId, long DestinationPoints, long AmountMicros, long AmountMinor);

/// <summary>An obligation with its parties: what <paramref name="PayerProgramCode"/> owes <paramref name="PayeeProgramCode"/>.</summary>
/// <param name="PayerProgramCode">The source partner of the conversion.</param>
/// <param name="PayeeProgramCode">The destination partner of the conversion.</param>
/// <param name="CurrencyCode">The payee's settlement currency.</param>
/// <param name="Line">The amounts.</param>
public sealed record Obligation(string PayerProgramCode, string PayeeProgramCode, string CurrencyCode, ObligationLine Line);

/// <summary>Who owes whom, in which currency: the key of a statement within its period.</summary>
/// <param name="PayerProgramCode">The partner that owes.</param>
/// <param name="PayeeProgramCode">The partner that is owed.</param>
/// <param name="CurrencyCode">ISO 4217 currency (the payee's settlement currency).</param>
public sealed record StatementParties(string PayerProgramCode, string PayeeProgramCode, string CurrencyCode);

/// <summary>A statement's totals over its lines.</summary>
/// <param name="LineCount">Number of lines.</param>
/// <param name="DestinationPoints">Net destination points (reversals count negative).</param>
/// <param name="GrossAmountMicros">The exact sum of the lines' micro-units.</param>
/// <param name="GrossAmountMinor"><paramref name="GrossAmountMicros"/> in minor units, rounded once, half away from zero.</param>
/// <param name="NetworkFeeMinor">Gross minor × fee basis points ÷ 10,000, rounded half away from zero.</param>
/// <param name="AmountDueMinor">What the payer pays: the gross minor amount, never below 0.</param>
public sealed record StatementTotals(
    int LineCount, long DestinationPoints, long GrossAmountMicros, long GrossAmountMinor, long NetworkFeeMinor, long AmountDueMinor)
{
    /// <summary>
    /// What the payee pays back to the payer when the statement's reversals outweigh its conversions: minus the
    /// gross minor amount, never below 0. Derived from the gross, so statements closed before refunds were
    /// shown owe theirs too, and their content hashes stay as they were.
    /// </summary>
    public long RefundDueMinor => Math.Max(0, -GrossAmountMinor);

    /// <summary>What the statement settles in all, whichever way it flows: the amount due or the refund due.</summary>
    public long SettlementDueMinor => AmountDueMinor + RefundDueMinor;
}

/// <summary>A statement built from the ledger, before it is stored: parties, totals, hash and lines in sequence order.</summary>
public sealed record StatementDraft(
    StatementParties Parties, StatementTotals Totals, string ContentHash, IReadOnlyList<ObligationLine> Lines);

/// <summary>
/// A partner's net position in one currency over a period: what counterparties owe it (as payee) minus
/// what it owes them (as payer), from the statements' gross minor amounts; and apart from that, the network
/// fee it owes as payer, from the same statements.
/// </summary>
/// <param name="ProgramCode">The partner.</param>
/// <param name="CurrencyCode">The currency of the statements summed.</param>
/// <param name="ReceivableMinor">The gross of the statements the partner is paid.</param>
/// <param name="PayableMinor">The gross of the statements the partner pays.</param>
/// <param name="NetworkFeeMinor">The network fees of the statements the partner pays, summed as the statements state them.</param>
public sealed record NetPosition(string ProgramCode, string CurrencyCode, long ReceivableMinor, long PayableMinor, long NetworkFeeMinor)
{
    /// <summary>Receivable − payable: between partners only, so over all partners of a currency it sums to zero.</summary>
    public long NetMinor => ReceivableMinor - PayableMinor;

    /// <summary>
    /// Net − network fee: what the partner receives (positive) or pays (negative) in all once the network is
    /// paid too. Over all partners of a currency it sums to minus the network's fee income.
    /// </summary>
    public long NetAfterFeeMinor => NetMinor - NetworkFeeMinor;
}

/// <summary>A period's statements, the partners' net positions and the period's content hash.</summary>
public sealed record PeriodDraft(
    PeriodBounds Bounds, IReadOnlyList<StatementDraft> Statements, IReadOnlyList<NetPosition> NetPositions, string ContentHash);
