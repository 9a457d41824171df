using PartnerExchange.Domain;
using PartnerExchange.Domain.Settlement;
using PartnerExchange.Ledger.Stores;
using PartnerExchange.Ledger.Writing;

namespace PartnerExchange.Ledger.Settlement;

/// <summary>
/// Closes the period [<paramref name="Start"/>, <paramref name="End"/>): freezes the obligations recorded in
/// it and in no statement yet into immutable statements. Run by the single writer, so it sees every
/// committed obligation and no conversion can slip in behind it. Closing exactly the same bounds again
/// answers with the period already closed. Given a <see cref="Snapshot"/> of the period, the writer reads
/// only the obligations committed after its cut and recomputes nothing unless there are some, so the
/// request holds the writer for the period's rows to store, not for reading and hashing them.
/// </summary>
/// <param name="Start">Start, inclusive, in whole microseconds.</param>
/// <param name="End">End, exclusive, in whole microseconds; not after the moment of closing.</param>
/// <param name="NetworkFeeBasisPoints">The network fee, 0–10,000 basis points of each statement's gross amount.</param>
public sealed record ClosePeriod(DateTimeOffset Start, DateTimeOffset End, int NetworkFeeBasisPoints) : LedgerCommand<ClosedPeriod>
{
    internal override Outcome<ClosedPeriod> Execute(LedgerWriteTransaction tx)
    {
        var bounds = new PeriodBounds(Start.ToUnixMicros(), End.ToUnixMicros());
        if (bounds.StartMicros >= bounds.EndMicros)
        {
            return Refusal.Invalid("end_time", "must be after start_time");
        }
        if (bounds.EndMicros > tx.NowMicros)
        {
            return Refusal.Of(ErrorReason.PeriodNotEnded, "The period has not ended yet; close it once its end time has passed.");
        }
        if (tx.Settlement.FindPeriodId(bounds) is { } existing)
        {
            return ClosedPeriods.Load(tx, existing);
        }
        if (tx.Settlement.FindOverlappingPeriodId(bounds) is { } overlapping)
        {
            return Refusal.Of(ErrorReason.PeriodOverlaps, "The period overlaps a period already closed.", ("period_id", overlapping));
        }
        return Draft(tx, bounds).Map(d => ClosedPeriods.Insert(tx, d));
    }

    /// <summary>
    /// The period's obligations read beforehand from a read snapshot (<see cref="PeriodSnapshots"/>), outside the
    /// writer; null to read them all in the writer.
    /// </summary>
    public PeriodSnapshot? Snapshot { get; init; }

    private Outcome<PeriodDraft> Draft(LedgerWriteTransaction tx, PeriodBounds bounds)
    {
        if (Snapshot is not { Draft: { } prepared } snapshot || !snapshot.Describes(bounds, NetworkFeeBasisPoints))
        {
            return StatementMath.ClosePeriod(bounds, tx.Settlement.ObligationsRecordedIn(bounds), NetworkFeeBasisPoints);
        }
        // The snapshot's obligations are still unsettled: only a period overlapping this one could hold them, and
        // that was refused above. What committed after the cut inside the period (when the period ended only after the
        // snapshot was read, or the clock stepped back) joins them, so no obligation is lost.
        var later = tx.Settlement.ObligationsRecordedIn(bounds, afterSequence: snapshot.CutSequence);
        return later.Count == 0
            ? prepared
            : StatementMath.ClosePeriod(bounds, snapshot.Obligations.Concat(later), NetworkFeeBasisPoints);
    }
}

/// <summary>
/// Records a payment against a statement, at most its outstanding amount: the payer's, or on a refund statement
/// (reversals outweighing conversions) the payee's refund.
/// </summary>
/// <param name="StatementId">The statement paid.</param>
/// <param name="CurrencyCode">The payment's currency; must be the statement's.</param>
/// <param name="AmountMinor">The amount, positive, in minor units.</param>
/// <param name="Reference">The payer's reference, e.g. a bank transfer id.</param>
public sealed record RecordPayment(string StatementId, string CurrencyCode, long AmountMinor, string Reference) : LedgerCommand<RecordedPayment>
{
    internal override Outcome<RecordedPayment> Execute(LedgerWriteTransaction tx)
    {
        var statement = tx.Settlement.FindStatement(StatementId);
        if (statement is null)
        {
            return Refusal.Of(ErrorReason.StatementNotFound, "No statement has this id.", ("statement_id", StatementId));
        }
        var paid = Payments.Check(
            statement.Parties.CurrencyCode, statement.Totals.SettlementDueMinor, statement.PaidMinor, CurrencyCode, AmountMinor);
        if (!paid.IsSuccess)
        {
            return paid.Refusal;
        }
        var payment = new PaymentRecord("pay_" + Guid.CreateVersion7(tx.Now).ToString("N"), AmountMinor, Reference, tx.Now);
        tx.Settlement.InsertPayment(StatementId, payment);
        return new RecordedPayment(statement with { PaidMinor = paid.Value }, payment);
    }
}
