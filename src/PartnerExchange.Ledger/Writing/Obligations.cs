using System.Globalization;
using PartnerExchange.Domain;
using PartnerExchange.Domain.Money;
using PartnerExchange.Domain.Settlement;

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
    public static long RecordedAtMicros(WriteSession session) => Math.Max(session.NowMicros, session.LatestClosedPeriodEndMicros);

    /// <summary>
    /// Refuses with <see cref="ErrorReason.BalanceOverflow"/> an obligation that would take its payer's or payee's
    /// open total in its currency past <see cref="StatementMath.MaxOpenObligationMicros"/>; null when it fits.
    /// </summary>
    public static Refusal? RefuseBeyondOpenLimit(WriteSession session, string payer, string payee, string currency, long amountMicros)
    {
        var open = session.Scalar(
            "SELECT COALESCE(MAX(open_micros), 0) FROM open_obligation_totals WHERE currency_code = $currency AND program_code IN ($payer, $payee)",
            ("$currency", currency), ("$payer", payer), ("$payee", payee)) ?? 0;
        return open <= StatementMath.MaxOpenObligationMicros - Math.Abs(amountMicros)
            ? null
            : Refusal.Of(ErrorReason.BalanceOverflow,
                "The partners' obligations not yet in a statement would exceed what a settlement period can total; close a period first.",
                ("open_micros_max", StatementMath.MaxOpenObligationMicros.ToString(CultureInfo.InvariantCulture)));
    }

    public static void Record(
        WriteSession session, long sequence, string payer, string payee, long destinationPoints, long pointPriceMicros,
        SettlementAmount amount)
    {
        session.Execute(
            "INSERT INTO obligations (sequence, payer_program_code, payee_program_code, destination_points, point_price_micros, " +
            "currency_code, amount_micros, amount_minor, created_at_micros) VALUES ($seq, $payer, $payee, $points, $price, " +
            "$currency, $micros, $minor, $now)",
            ("$seq", sequence), ("$payer", payer), ("$payee", payee), ("$points", destinationPoints), ("$price", pointPriceMicros),
            ("$currency", amount.CurrencyCode), ("$micros", amount.AmountMicros), ("$minor", amount.AmountMinor),
            ("$now", RecordedAtMicros(session)));
        AddOpen(session, new RecordedObligation(payer, payee, amount.CurrencyCode, amount.AmountMicros));
    }

    /// <summary>The obligation a transaction recorded, or null (only conversions and their reversals have one).</summary>
    public static RecordedObligation? Find(WriteSession session, long sequence)
    {
        using var reader = session.Query(
            "SELECT payer_program_code, payee_program_code, currency_code, amount_micros FROM obligations WHERE sequence = $seq",
            ("$seq", sequence));
        return reader.Read() ? new RecordedObligation(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetInt64(3)) : null;
    }

    /// <summary>Writes the negative of the original's obligation under the reversal's sequence.</summary>
    public static void Cancel(WriteSession session, long originalSequence, long reversalSequence, RecordedObligation original)
    {
        session.Execute(
            "INSERT INTO obligations (sequence, payer_program_code, payee_program_code, destination_points, point_price_micros, " +
            "currency_code, amount_micros, amount_minor, created_at_micros) SELECT $reversal, payer_program_code, " +
            "payee_program_code, -destination_points, point_price_micros, currency_code, -amount_micros, -amount_minor, $now " +
            "FROM obligations WHERE sequence = $original",
            ("$reversal", reversalSequence), ("$original", originalSequence), ("$now", RecordedAtMicros(session)));
        AddOpen(session, original);
    }

    /// <summary>Takes a closed statement's lines off its payer's and payee's open totals.</summary>
    public static void Settle(WriteSession session, StatementParties parties, IEnumerable<ObligationLine> lines)
    {
        var micros = 0L;
        foreach (var line in lines)
        {
            micros = checked(micros + Math.Abs(line.AmountMicros));
        }
        foreach (var program in new[] { parties.PayerProgramCode, parties.PayeeProgramCode })
        {
            var updated = session.Execute(
                "UPDATE open_obligation_totals SET open_micros = open_micros - $micros " +
                "WHERE program_code = $program AND currency_code = $currency AND open_micros >= $micros",
                ("$micros", micros), ("$program", program), ("$currency", parties.CurrencyCode));
            if (updated != 1)
            {
                throw new InvalidOperationException($"The open obligations of {program} in {parties.CurrencyCode} do not cover a statement of theirs.");
            }
        }
    }

    private static void AddOpen(WriteSession session, RecordedObligation obligation)
    {
        var micros = Math.Abs(obligation.AmountMicros);
        session.Execute(
            "INSERT INTO open_obligation_totals (program_code, currency_code, open_micros) VALUES ($payer, $currency, $micros), " +
            "($payee, $currency, $micros) ON CONFLICT (program_code, currency_code) DO UPDATE SET open_micros = open_micros + excluded.open_micros",
            ("$payer", obligation.PayerProgramCode), ("$payee", obligation.PayeeProgramCode), ("$currency", obligation.CurrencyCode),
            ("$micros", micros));
    }
}
