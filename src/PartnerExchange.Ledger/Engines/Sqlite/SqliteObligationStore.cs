using PartnerExchange.Ledger.Stores;
using PartnerExchange.Ledger.Writing;

namespace PartnerExchange.Ledger.Engines.Sqlite;

/// <summary>The obligations and open_obligation_totals tables.</summary>
internal sealed class SqliteObligationStore(SqliteWriteTransaction tx) : IObligationStore
{
    public void Insert(NewObligation o) =>
        tx.Execute(
            "INSERT INTO obligations (sequence, payer_program_code, payee_program_code, destination_points, point_price_micros, " +
            "currency_code, amount_micros, amount_minor, created_at_micros) VALUES ($seq, $payer, $payee, $points, $price, " +
            "$currency, $micros, $minor, $now)",
            ("$seq", o.Sequence), ("$payer", o.PayerProgramCode), ("$payee", o.PayeeProgramCode), ("$points", o.DestinationPoints),
            ("$price", o.PointPriceMicros), ("$currency", o.Amount.CurrencyCode), ("$micros", o.Amount.AmountMicros),
            ("$minor", o.Amount.AmountMinor), ("$now", o.RecordedAtMicros));

    public RecordedObligation? Find(long sequence)
    {
        using var reader = tx.Query(
            "SELECT payer_program_code, payee_program_code, currency_code, amount_micros FROM obligations WHERE sequence = $seq",
            ("$seq", sequence));
        return reader.Read() ? new RecordedObligation(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetInt64(3)) : null;
    }

    public void InsertNegation(long originalSequence, long reversalSequence, long recordedAtMicros) =>
        tx.Execute(
            "INSERT INTO obligations (sequence, payer_program_code, payee_program_code, destination_points, point_price_micros, " +
            "currency_code, amount_micros, amount_minor, created_at_micros) SELECT $reversal, payer_program_code, " +
            "payee_program_code, -destination_points, point_price_micros, currency_code, -amount_micros, -amount_minor, $now " +
            "FROM obligations WHERE sequence = $original",
            ("$reversal", reversalSequence), ("$original", originalSequence), ("$now", recordedAtMicros));

    public long LargestOpenMicros(string currencyCode, string payerProgramCode, string payeeProgramCode) =>
        tx.Scalar(
            "SELECT COALESCE(MAX(open_micros), 0) FROM open_obligation_totals WHERE currency_code = $currency AND program_code IN ($payer, $payee)",
            ("$currency", currencyCode), ("$payer", payerProgramCode), ("$payee", payeeProgramCode)) ?? 0;

    public void AddOpen(RecordedObligation obligation) =>
        tx.Execute(
            "INSERT INTO open_obligation_totals (program_code, currency_code, open_micros) VALUES ($payer, $currency, $micros), " +
            "($payee, $currency, $micros) ON CONFLICT (program_code, currency_code) DO UPDATE SET open_micros = open_micros + excluded.open_micros",
            ("$payer", obligation.PayerProgramCode), ("$payee", obligation.PayeeProgramCode), ("$currency", obligation.CurrencyCode),
            ("$micros", Math.Abs(obligation.AmountMicros)));

    public bool TryTakeOffOpen(string programCode, string currencyCode, long micros) =>
        tx.Execute(
            "UPDATE open_obligation_totals SET open_micros = open_micros - $micros " +
            "WHERE program_code = $program AND currency_code = $currency AND open_micros >= $micros",
            ("$micros", micros), ("$program", programCode), ("$currency", currencyCode)) == 1;
}
