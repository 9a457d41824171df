using PartnerExchange.Domain.Settlement;
using PartnerExchange.Ledger.Reading;
using PartnerExchange.Ledger.Settlement;
using PartnerExchange.Ledger.Stores;
using PartnerExchange.Ledger.Writing;

namespace PartnerExchange.Ledger.Engines.Sqlite;

/// <summary>The settlement_periods, statements and payments tables, and the obligations a period closes.</summary>
internal sealed class SqliteSettlementStore(SqliteWriteTransaction tx) : ISettlementStore
{
    private const string StatementColumns =
        "s.statement_id, s.period_id, s.payer_program_code, s.payee_program_code, s.currency_code, s.line_count, " +
        "s.destination_points, s.gross_amount_micros, s.gross_amount_minor, s.network_fee_minor, s.amount_due_minor, " +
        "s.content_hash, s.created_at_micros, (SELECT COALESCE(SUM(p.amount_minor), 0) FROM payments p WHERE p.statement_id = s.statement_id)";

    // The same, of the obligations after a snapshot's cut only: read along the sequence (the unary '+' keeps SQLite
    // off the index by time, which would walk the whole period for the few rows that committed meanwhile).
    private const string UnsettledObligationsAfterSql =
        ObligationRows.Select + "WHERE o.sequence > $after AND +o.created_at_micros >= $start AND +o.created_at_micros < $end " +
        "ORDER BY o.sequence";

    public long LatestClosedPeriodEndMicros() =>
        tx.Scalar("SELECT end_micros FROM settlement_periods ORDER BY start_micros DESC LIMIT 1") ?? 0;

    public string? FindPeriodId(PeriodBounds bounds) =>
        tx.QueryString("SELECT period_id FROM settlement_periods WHERE start_micros = $start AND end_micros = $end",
            ("$start", bounds.StartMicros), ("$end", bounds.EndMicros));

    public string? FindOverlappingPeriodId(PeriodBounds bounds) =>
        tx.QueryString(
            "SELECT period_id FROM settlement_periods WHERE start_micros < $end AND end_micros > $start ORDER BY start_micros LIMIT 1",
            ("$start", bounds.StartMicros), ("$end", bounds.EndMicros));

    public List<Obligation> ObligationsRecordedIn(PeriodBounds bounds, long? afterSequence = null)
    {
        var obligations = new List<Obligation>();
        using var reader = afterSequence is { } after
            ? tx.Query(UnsettledObligationsAfterSql, ("$after", after), ("$start", bounds.StartMicros), ("$end", bounds.EndMicros))
            : tx.Query(ObligationRows.UnsettledSql, ("@start", bounds.StartMicros), ("@end", bounds.EndMicros));
        while (reader.Read())
        {
            obligations.Add(ObligationRows.Read(reader));
        }
        return obligations;
    }

    public void InsertPeriod(StoredPeriod period) =>
        tx.Execute(
            "INSERT INTO settlement_periods (period_id, start_micros, end_micros, closed_at_micros, content_hash, first_sequence, last_sequence) " +
            "VALUES ($id, $start, $end, $now, $hash, $first, $last)",
            ("$id", period.PeriodId), ("$start", period.Bounds.StartMicros), ("$end", period.Bounds.EndMicros), ("$now", period.ClosedAtMicros),
            ("$hash", period.ContentHash), ("$first", period.FirstSequence), ("$last", period.LastSequence));

    public void InsertStatement(StatementRecord s)
    {
        var (parties, totals) = (s.Parties, s.Totals);
        tx.Execute(
            "INSERT INTO statements (statement_id, period_id, payer_program_code, payee_program_code, currency_code, line_count, " +
            "destination_points, gross_amount_micros, gross_amount_minor, network_fee_minor, amount_due_minor, content_hash, " +
            "created_at_micros) VALUES ($id, $period, $payer, $payee, $currency, $lines, $points, $micros, $minor, $fee, $due, $hash, $now)",
            ("$id", s.StatementId), ("$period", s.PeriodId), ("$payer", parties.PayerProgramCode), ("$payee", parties.PayeeProgramCode),
            ("$currency", parties.CurrencyCode), ("$lines", totals.LineCount), ("$points", totals.DestinationPoints),
            ("$micros", totals.GrossAmountMicros), ("$minor", totals.GrossAmountMinor), ("$fee", totals.NetworkFeeMinor),
            ("$due", totals.AmountDueMinor), ("$hash", s.ContentHash), ("$now", s.CreatedAt.ToUnixMicros()));
    }

    public StoredPeriod? FindPeriod(string periodId)
    {
        using var reader = tx.Query(
            "SELECT start_micros, end_micros, closed_at_micros, content_hash, first_sequence, last_sequence FROM settlement_periods " +
            "WHERE period_id = $id", ("$id", periodId));
        return reader.Read()
            ? new StoredPeriod(periodId, new PeriodBounds(reader.GetInt64(0), reader.GetInt64(1)), reader.GetInt64(2), reader.GetString(3),
                reader.GetInt64(4), reader.GetInt64(5))
            : null;
    }

    public List<StatementRecord> StatementsOf(string periodId) =>
        ReadStatements($"SELECT {StatementColumns} FROM statements s WHERE s.period_id = $id", periodId);

    public StatementRecord? FindStatement(string statementId) =>
        ReadStatements($"SELECT {StatementColumns} FROM statements s WHERE s.statement_id = $id", statementId) is [var statement] ? statement : null;

    public void InsertPayment(string statementId, PaymentRecord payment) =>
        tx.Execute(
            "INSERT INTO payments (payment_id, statement_id, amount_minor, reference, created_at_micros) VALUES ($id, $statement, $amount, $reference, $now)",
            ("$id", payment.PaymentId), ("$statement", statementId), ("$amount", payment.AmountMinor), ("$reference", payment.Reference),
            ("$now", payment.CreatedAt.ToUnixMicros()));

    private List<StatementRecord> ReadStatements(string sql, string id)
    {
        var statements = new List<StatementRecord>();
        using var reader = tx.Query(sql, ("$id", id));
        while (reader.Read())
        {
            statements.Add(ReadStatement(reader));
        }
        return statements;
    }

    private static StatementRecord ReadStatement(WriteRows r) =>
        new(r.GetString(0), r.GetString(1), new StatementParties(r.GetString(2), r.GetString(3), r.GetString(4)),
            new StatementTotals(r.GetInt32(5), r.GetInt64(6), r.GetInt64(7), r.GetInt64(8), r.GetInt64(9), r.GetInt64(10)),
            r.GetInt64(13), r.GetString(11), Time.FromMicros(r.GetInt64(12)));
}
