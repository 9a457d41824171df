using PartnerExchange.Ledger.Stores;
using PartnerExchange.Ledger.Writing;

namespace PartnerExchange.Ledger.Engines.Postgres;

/// <summary>The obligations and open_obligation_totals tables.</summary>
internal sealed class PostgresObligationStore(PostgresWriteTransaction tx) : IObligationStore
{
    public void Insert(NewObligation o) =>
        tx.Execute(
            "INSERT INTO obligations (sequence, payer_program_code, payee_program_code, destination_points, point_price_micros, " +
            "currency_code, amount_micros, amount_minor, created_at_micros) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            o.Sequence, o.PayerProgramCode, o.PayeeProgramCode, o.DestinationPoints, o.PointPriceMicros, o.Amount.CurrencyCode,
            o.Amount.AmountMicros, o.Amount.AmountMinor, o.RecordedAtMicros);

    public RecordedObligation? Find(long sequence)
    {
        using var reader = tx.Query(
            "SELECT payer_program_code, payee_program_code, currency_code, amount_micros FROM obligations WHERE sequence = $1", sequence);
        return reader.Read() ? new RecordedObligation(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetInt64(3)) : null;
    }

    public void InsertNegation(long originalSequence, long reversalSequence, long recordedAtMicros) =>
        tx.Execute(
            "INSERT INTO obligations (sequence, payer_program_code, payee_program_code, destination_points, point_price_micros, " +
            "currency_code, amount_micros, amount_minor, created_at_micros) SELECT $1, payer_program_code, payee_program_code, " +
            "-destination_points, point_price_micros, currency_code, -amount_micros, -amount_minor, $3 FROM obligations WHERE sequence = $2",
            reversalSequence, originalSequence, recordedAtMicros);

    public long LargestOpenMicros(string currencyCode, string payerProgramCode, string payeeProgramCode) =>
        tx.Scalar(
            "SELECT COALESCE(MAX(open_micros), 0) FROM open_obligation_totals WHERE currency_code = $1 AND program_code IN ($2, $3)",
            currencyCode, payerProgramCode, payeeProgramCode) ?? 0;

    public void AddOpen(RecordedObligation obligation)
    {
        var micros = Math.Abs(obligation.AmountMicros);
        if (obligation.PayerProgramCode == obligation.PayeeProgramCode)
        {
            // PostgreSQL refuses to update one row twice in a statement: a partner owing itself gets both shares at once.
            AddOpen(obligation.PayerProgramCode, obligation.CurrencyCode, checked(micros * 2));
            return;
        }
        tx.Execute(
            "INSERT INTO open_obligation_totals (program_code, currency_code, open_micros) VALUES ($1, $3, $4), ($2, $3, $4) " +
            "ON CONFLICT (program_code, currency_code) DO UPDATE SET open_micros = open_obligation_totals.open_micros + EXCLUDED.open_micros",
            obligation.PayerProgramCode, obligation.PayeeProgramCode, obligation.CurrencyCode, micros);
    }

    private void AddOpen(string programCode, string currencyCode, long micros) =>
        tx.Execute(
            "INSERT INTO open_obligation_totals (program_code, currency_code, open_micros) VALUES ($1, $2, $3) " +
            "ON CONFLICT (program_code, currency_code) DO UPDATE SET open_micros = open_obligation_totals.open_micros + EXCLUDED.open_micros",
            programCode, currencyCode, micros);

    public bool TryTakeOffOpen(string programCode, string currencyCode, long micros) =>
        tx.Execute(
            "UPDATE open_obligation_totals SET open_micros = open_micros - $1 WHERE program_code = $2 AND currency_code = $3 AND open_micros >= $1",
            micros, programCode, currencyCode) == 1;
}
