using PartnerExchange.Domain.Money;

namespace PartnerExchange.Ledger.Writing;

/// <summary>Settlement obligations: what a conversion's source partner owes its destination partner.</summary>
internal static class Obligations
{
    /// <summary>
    /// When an obligation recorded now belongs: now, or the end of the latest closed period should the clock
    /// read earlier (a clock stepped back). Period membership goes by this time, so an obligation never lands in
    /// a period already closed, where no statement would ever hold it.
    /// </summary>
    public static long RecordedAtMicros(WriteSession session) => Math.Max(session.NowMicros, session.LatestClosedPeriodEndMicros);

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
    }

    /// <summary>Writes the negative of the original's obligation, if it had one, under the reversal's sequence.</summary>
    public static void Cancel(WriteSession session, long originalSequence, long reversalSequence)
    {
        session.Execute(
            "INSERT INTO obligations (sequence, payer_program_code, payee_program_code, destination_points, point_price_micros, " +
            "currency_code, amount_micros, amount_minor, created_at_micros) SELECT $reversal, payer_program_code, " +
            "payee_program_code, -destination_points, point_price_micros, currency_code, -amount_micros, -amount_minor, $now " +
            "FROM obligations WHERE sequence = $original",
            ("$reversal", reversalSequence), ("$original", originalSequence), ("$now", RecordedAtMicros(session)));
    }
}
