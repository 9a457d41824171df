using PartnerExchange.Domain;
using PartnerExchange.Domain.Money;
using PartnerExchange.Domain.Settlement;
using PartnerExchange.Ledger.Planning;
using PartnerExchange.Ledger.Stores;

namespace PartnerExchange.Ledger.Writing;

/// <summary>An obligation's parties and exact amount, as a reversal negates it.</summary>
internal sealed record RecordedObligation(string PayerProgramCode, string PayeeProgramCode, string CurrencyCode, long AmountMicros);

/// <summary>
/// Settlement obligations: what a conversion's source partner owes its destination partner. Beside them the
/// writer keeps each partner's open total per currency (the absolute amounts of its obligations in no
/// statement yet), so no obligation is accepted that would leave a period whose totals cannot be stored.
/// </summary>
internal static class Obligations
{
    /// <summary>
    /// When an obligation recorded now belongs: now, or the end of the latest closed period should the clock
    /// read earlier (a clock stepped back). Period membership goes by this time, so an obligation never lands in
    /// a period already closed, where no statement would ever hold it.
    /// </summary>
    public static long RecordedAtMicros(LedgerWriteTransaction tx) => ObligationPlan.RecordedAtMicros(tx.NowMicros, tx.LatestClosedPeriodEndMicros);

    /// <summary>
    /// Refuses with <see cref="ErrorReason.BalanceOverflow"/> an obligation that would take its payer's or payee's
    /// open total in its currency past <see cref="StatementMath.MaxOpenObligationMicros"/>; null when it fits.
    /// </summary>
    public static Refusal? RefuseBeyondOpenLimit(LedgerWriteTransaction tx, string payer, string payee, string currency, long amountMicros) =>
        ObligationPlan.RefuseBeyondOpenLimit(tx.Obligations.LargestOpenMicros(currency, payer, payee), amountMicros);

    public static void Record(
        LedgerWriteTransaction tx, long sequence, string payer, string payee, long destinationPoints, long pointPriceMicros,
        SettlementAmount amount)
    {
        tx.Obligations.Insert(new NewObligation(sequence, payer, payee, destinationPoints, pointPriceMicros, amount, RecordedAtMicros(tx)));
        tx.Obligations.AddOpen(new RecordedObligation(payer, payee, amount.CurrencyCode, amount.AmountMicros));
    }

    /// <summary>The obligation a transaction recorded, or null (only conversions and their reversals have one).</summary>
    public static RecordedObligation? Find(LedgerWriteTransaction tx, long sequence) => tx.Obligations.Find(sequence);

    /// <summary>Writes the negative of the original's obligation under the reversal's sequence.</summary>
    public static void Cancel(LedgerWriteTransaction tx, long originalSequence, long reversalSequence, RecordedObligation original)
    {
        tx.Obligations.InsertNegation(originalSequence, reversalSequence, RecordedAtMicros(tx));
        tx.Obligations.AddOpen(original);
    }

    /// <summary>Takes a closed statement's lines off its payer's and payee's open totals.</summary>
    public static void Settle(LedgerWriteTransaction tx, StatementParties parties, IEnumerable<ObligationLine> lines)
    {
        var micros = 0L;
        foreach (var line in lines)
        {
            micros = checked(micros + Math.Abs(line.AmountMicros));
        }
        foreach (var program in new[] { parties.PayerProgramCode, parties.PayeeProgramCode })
        {
            if (!tx.Obligations.TryTakeOffOpen(program, parties.CurrencyCode, micros))
            {
                throw new InvalidOperationException($"The open obligations of {program} in {parties.CurrencyCode} do not cover a statement of theirs.");
            }
        }
    }
}
