using Npgsql;
using PartnerExchange.Domain.Settlement;
using PartnerExchange.Ledger.Reading;
using PartnerExchange.Ledger.Settlement;
using PartnerExchange.Ledger.Stores;
using PartnerExchange.Ledger.Writing;

namespace PartnerExchange.Ledger.Engines.Postgres;

/// <summary>The settlement_periods, statements and payments tables, and the obligations a period closes.</summary>
internal sealed class PostgresSettlementStore(PostgresWriteTransaction tx) : ISettlementStore
{
    private const string StatementColumns =
        "s.statement_id, s.period_id, s.payer_program_code, s.payee_program_code, s.currency_code, s.line_count, " +
        "s.destination_points, s.gross_amount_micros, s.gross_amount_minor, s.network_fee_minor, s.amount_due_minor, " +
        "s.content_hash, s.created_at_micros, (SELECT COALESCE(SUM(p.amount_minor), 0)::bigint FROM payments p WHERE p.statement_id = s.statement_id)";

    // Rows as ObligationRows.Read maps them. Obligations recorded in [$1, $2), none of them in a
    // statement while those bounds are not closed (see SqliteSettlementStore.UnsettledObligationsSql).
    private const string UnsettledObligationsSelect =
        "SELECT o.sequence, t.transaction_id, o.payer_program_code, o.payee_program_code, o.currency_code, o.destination_points, " +
        "o.amount_micros, o.amount_minor FROM obligations o JOIN transactions t ON t.sequence = o.sequence ";

    private const string UnsettledObligationsSql =
        UnsettledObligationsSelect + "WHERE o.created_at_micros >= $1 AND o.created_at_micros < $2 ORDER BY o.sequence";

    private const string UnsettledObligationsAfterSql =
        UnsettledObligationsSelect + "WHERE o.created_at_micros >= $1 AND o.created_at_micros < $2 AND o.sequence > $3 ORDER BY o.sequence";

    public long LatestClosedPeriodEndMicros() =>
        tx.Scalar("SELECT end_micros FROM settlement_periods ORDER BY start_micros DESC LIMIT 1") ?? 0;

    public string? FindPeriodId(PeriodBounds bounds) =>
        tx.QueryString("SELECT period_id FROM settlement_periods WHERE start_micros = $1 AND end_micros = $2", bounds.StartMicros, bounds.EndMicros);

    public string? FindOverlappingPeriodId(PeriodBounds bounds) =>
        tx.QueryString(
            "SELECT period_id FROM settlement_periods WHERE start_micros < $2 AND end_micros > $1 ORDER BY start_micros LIMIT 1",
            bounds.StartMicros, bounds.EndMicros);

    public List<Obligation> ObligationsRecordedIn(PeriodBounds bounds, long? afterSequence = null)
    {
        var obligations = new List<Obligation>();
        using var reader = afterSequence is { } after
            ? tx.Query(UnsettledObligationsAfterSql, bounds.StartMicros, bounds.EndMicros, after)
            : tx.Query(UnsettledObligationsSql, bounds.StartMicros, bounds.EndMicros);
        while (reader.Read())
        {
            obligations.Add(ObligationRows.Read(reader));
        }
        return obligations;
    }

    public void InsertPeriod(StoredPeriod period) =>
        tx.Execute(
            "INSERT INTO settlement_periods (period_id, start_micros, end_micros, closed_at_micros, content_hash, first_sequence, last_sequence) " +
            "VALUES ($1, $2, $3, $4, $5, $6, $7)",
            period.PeriodId, period.Bounds.StartMicros, period.Bounds.EndMicros, period.ClosedAtMicros, period.ContentHash, period.FirstSequence,
            period.LastSequence);

    public void InsertStatement(StatementRecord s)
    {
        var (parties, totals) = (s.Parties, s.Totals);
        tx.Execute(
            "INSERT INTO statements (statement_id, period_id, payer_program_code, payee_program_code, currency_code, line_count, " +
            "destination_points, gross_amount_micros, gross_amount_minor, network_fee_minor, amount_due_minor, content_hash, " +
            "created_at_micros) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
            s.StatementId, s.PeriodId, parties.PayerProgramCode, parties.PayeeProgramCode, parties.CurrencyCode, totals.LineCount,
            totals.DestinationPoints, totals.GrossAmountMicros, totals.GrossAmountMinor, totals.NetworkFeeMinor, totals.AmountDueMinor,
            s.ContentHash, s.CreatedAt.ToUnixMicros());
    }

    public StoredPeriod? FindPeriod(string periodId)
    {
        using var reader = tx.Query(
            "SELECT start_micros, end_micros, closed_at_micros, content_hash, first_sequence, last_sequence FROM settlement_periods " +
            "WHERE period_id = $1", periodId);
        return reader.Read()
            ? new StoredPeriod(periodId, new PeriodBounds(reader.GetInt64(0), reader.GetInt64(1)), reader.GetInt64(2), reader.GetString(3),
                reader.GetInt64(4), reader.GetInt64(5))
            : null;
    }

    public List<StatementRecord> StatementsOf(string periodId) =>
        ReadStatements($"SELECT {StatementColumns} FROM statements s WHERE s.period_id = $1", periodId);

    public StatementRecord? FindStatement(string statementId) =>
        ReadStatements($"SELECT {StatementColumns} FROM statements s WHERE s.statement_id = $1", statementId) is [var statement] ? statement : null;

    public void InsertPayment(string statementId, PaymentRecord payment) =>
        tx.Execute(
            "INSERT INTO payments (payment_id, statement_id, amount_minor, reference, created_at_micros) VALUES ($1, $2, $3, $4, $5)",
            payment.PaymentId, statementId, payment.AmountMinor, payment.Reference, payment.CreatedAt.ToUnixMicros());

    private List<StatementRecord> ReadStatements(string sql, string id)
    {
        var statements = new List<StatementRecord>();
        using var reader = tx.Query(sql, id);
        while (reader.Read())
        {
            statements.Add(ReadStatement(reader));
        }
        return statements;
    }

    private static StatementRecord ReadStatement(NpgsqlDataReader r) =>
        new(r.GetString(0), r.GetString(1), new StatementParties(r.GetString(2), r.GetString(3), r.GetString(4)),
            new StatementTotals(r.GetInt32(5), r.GetInt64(6), r.GetInt64(7), r.GetInt64(8), r.GetInt64(9), r.GetInt64(10)),
            r.GetInt64(13), r.GetString(11), Time.FromMicros(r.GetInt64(12)));
}
