using PartnerExchange.Domain.Settlement;
using PartnerExchange.Ledger.Engines.Sqlite;
using PartnerExchange.Ledger.Writing;

namespace PartnerExchange.Ledger.Settlement;

/// <summary>The writer's settlement SQL: periods, statements, lines and payments inside the write transaction.</summary>
internal static class SettlementStore
{
    private const string StatementColumns =
        "s.statement_id, s.period_id, s.payer_program_code, s.payee_program_code, s.currency_code, s.line_count, " +
        "s.destination_points, s.gross_amount_micros, s.gross_amount_minor, s.network_fee_minor, s.amount_due_minor, " +
        "s.content_hash, s.created_at_micros, (SELECT COALESCE(SUM(p.amount_minor), 0) FROM payments p WHERE p.statement_id = s.statement_id)";

    public static string? FindPeriodId(SqliteWriteTransaction session, PeriodBounds bounds) =>
        QueryString(session, "SELECT period_id FROM settlement_periods WHERE start_micros = $start AND end_micros = $end",
            ("$start", bounds.StartMicros), ("$end", bounds.EndMicros));

    public static string? FindOverlappingPeriodId(SqliteWriteTransaction session, PeriodBounds bounds) =>
        QueryString(session,
            "SELECT period_id FROM settlement_periods WHERE start_micros < $end AND end_micros > $start ORDER BY start_micros LIMIT 1",
            ("$start", bounds.StartMicros), ("$end", bounds.EndMicros));

    /// <summary>
    /// Obligations recorded in [$start, $end) that belong to no statement yet, in sequence order: sequence,
    /// transaction id, payer, payee, currency, destination points, micros, minor.
    /// </summary>
    internal const string UnsettledObligationsSql =
        UnsettledObligationsSelect + "WHERE o.created_at_micros >= $start AND o.created_at_micros < $end " + NotInAStatement;

    private const string UnsettledObligationsSelect =
        "SELECT o.sequence, t.transaction_id, o.payer_program_code, o.payee_program_code, o.currency_code, o.destination_points, " +
        "o.amount_micros, o.amount_minor FROM obligations o JOIN transactions t ON t.sequence = o.sequence ";

    private const string NotInAStatement = "AND NOT EXISTS (SELECT 1 FROM statement_lines l WHERE l.sequence = o.sequence) ORDER BY o.sequence";

    // The same, of the obligations after a snapshot's cut only: read along the sequence (the unary '+' keeps SQLite
    // off the index by time, which would walk the whole period for the few rows that committed meanwhile).
    private const string UnsettledObligationsAfterSql =
        UnsettledObligationsSelect + "WHERE o.sequence > $after AND +o.created_at_micros >= $start AND +o.created_at_micros < $end " +
        NotInAStatement;

    /// <summary>Obligations recorded in the period that belong to no statement yet, in sequence order.</summary>
    public static List<Obligation> UnsettledObligations(SqliteWriteTransaction session, PeriodBounds bounds) =>
        ReadObligations(session, UnsettledObligationsSql, ("$start", bounds.StartMicros), ("$end", bounds.EndMicros));

    /// <summary>The same, of the obligations whose sequence is above <paramref name="afterSequence"/> only.</summary>
    public static List<Obligation> UnsettledObligationsAfter(SqliteWriteTransaction session, PeriodBounds bounds, long afterSequence) =>
        ReadObligations(session, UnsettledObligationsAfterSql,
            ("$after", afterSequence), ("$start", bounds.StartMicros), ("$end", bounds.EndMicros));

    private static List<Obligation> ReadObligations(SqliteWriteTransaction session, string sql, params ReadOnlySpan<(string Name, SqlValue Value)> parameters)
    {
        var obligations = new List<Obligation>();
        using var reader = session.Query(sql, parameters);
        while (reader.Read())
        {
            var line = new ObligationLine(reader.GetInt64(0), reader.GetString(1), reader.GetInt64(5), reader.GetInt64(6), reader.GetInt64(7));
            obligations.Add(new Obligation(reader.GetString(2), reader.GetString(3), reader.GetString(4), line));
        }
        return obligations;
    }

    /// <summary>Stores a newly closed period with its statements and lines.</summary>
    public static ClosedPeriod Insert(SqliteWriteTransaction session, PeriodDraft draft)
    {
        var periodId = "per_" + Guid.CreateVersion7(session.Now).ToString("N");
        session.Execute(
            "INSERT INTO settlement_periods (period_id, start_micros, end_micros, closed_at_micros, content_hash) VALUES ($id, $start, $end, $now, $hash)",
            ("$id", periodId), ("$start", draft.Bounds.StartMicros), ("$end", draft.Bounds.EndMicros), ("$now", session.NowMicros),
            ("$hash", draft.ContentHash));
        session.NoteClosedPeriod(draft.Bounds.EndMicros);
        var statements = new List<StatementRecord>(draft.Statements.Count);
        foreach (var statement in draft.Statements)
        {
            var record = new StatementRecord("st_" + Guid.CreateVersion7(session.Now).ToString("N"), periodId, statement.Parties,
                statement.Totals, 0, statement.ContentHash, session.Now);
            InsertStatement(session, record);
            Obligations.Settle(session, statement.Parties, statement.Lines);
            foreach (var line in statement.Lines)
            {
                session.Execute("INSERT INTO statement_lines (statement_id, sequence) VALUES ($statement, $seq)",
                    ("$statement", record.StatementId), ("$seq", line.Sequence));
            }
            statements.Add(record);
        }
        var period = new PeriodRecord(periodId, Time.FromMicros(draft.Bounds.StartMicros), Time.FromMicros(draft.Bounds.EndMicros),
            session.Now, statements.Count, draft.NetPositions, draft.ContentHash);
        return new ClosedPeriod(period, statements);
    }

    /// <summary>A period already closed, with its statements as they stand now.</summary>
    public static ClosedPeriod LoadClosedPeriod(SqliteWriteTransaction session, string periodId)
    {
        var statements = ReadStatements(session, $"SELECT {StatementColumns} FROM statements s WHERE s.period_id = $id", ("$id", periodId));
        statements.Sort(SettlementOrder.Statements);
        using var reader = session.Query(
            "SELECT start_micros, end_micros, closed_at_micros, content_hash FROM settlement_periods WHERE period_id = $id", ("$id", periodId));
        if (!reader.Read())
        {
            throw new InvalidOperationException($"Period {periodId} vanished inside the write transaction.");
        }
        var period = new PeriodRecord(periodId, Time.FromMicros(reader.GetInt64(0)), Time.FromMicros(reader.GetInt64(1)),
            Time.FromMicros(reader.GetInt64(2)), statements.Count, SettlementOrder.NetPositions(statements), reader.GetString(3));
        return new ClosedPeriod(period, statements);
    }

    public static StatementRecord? LoadStatement(SqliteWriteTransaction session, string statementId) =>
        ReadStatements(session, $"SELECT {StatementColumns} FROM statements s WHERE s.statement_id = $id", ("$id", statementId))
            .SingleOrDefault();

    private static void InsertStatement(SqliteWriteTransaction session, StatementRecord s)
    {
        var (parties, totals) = (s.Parties, s.Totals);
        session.Execute(
            "INSERT INTO statements (statement_id, period_id, payer_program_code, payee_program_code, currency_code, line_count, " +
            "destination_points, gross_amount_micros, gross_amount_minor, network_fee_minor, amount_due_minor, content_hash, " +
            "created_at_micros) VALUES ($id, $period, $payer, $payee, $currency, $lines, $points, $micros, $minor, $fee, $due, $hash, $now)",
            ("$id", s.StatementId), ("$period", s.PeriodId), ("$payer", parties.PayerProgramCode), ("$payee", parties.PayeeProgramCode),
            ("$currency", parties.CurrencyCode), ("$lines", totals.LineCount), ("$points", totals.DestinationPoints),
            ("$micros", totals.GrossAmountMicros), ("$minor", totals.GrossAmountMinor), ("$fee", totals.NetworkFeeMinor),
            ("$due", totals.AmountDueMinor), ("$hash", s.ContentHash), ("$now", s.CreatedAt.ToUnixMicros()));
    }

    private static List<StatementRecord> ReadStatements(SqliteWriteTransaction session, string sql, params ReadOnlySpan<(string Name, SqlValue Value)> parameters)
    {
        var statements = new List<StatementRecord>();
        using var reader = session.Query(sql, parameters);
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

    private static string? QueryString(SqliteWriteTransaction session, string sql, params ReadOnlySpan<(string Name, SqlValue Value)> parameters)
    {
        using var reader = session.Query(sql, parameters);
        return reader.Read() ? reader.GetString(0) : null;
    }
}

/// <summary>The one order of statements everywhere (payer, payee, currency, ordinal) and net positions from them.</summary>
internal static class SettlementOrder
{
    public static readonly Comparison<StatementRecord> Statements = (a, b) =>
    {
        var byPayer = string.CompareOrdinal(a.Parties.PayerProgramCode, b.Parties.PayerProgramCode);
        if (byPayer != 0)
        {
            return byPayer;
        }
        var byPayee = string.CompareOrdinal(a.Parties.PayeeProgramCode, b.Parties.PayeeProgramCode);
        return byPayee != 0 ? byPayee : string.CompareOrdinal(a.Parties.CurrencyCode, b.Parties.CurrencyCode);
    };

    /// <summary>Net positions of stored statements; they fitted when the period was closed, so they still do.</summary>
    public static IReadOnlyList<NetPosition> NetPositions(IEnumerable<StatementRecord> statements) =>
        StatementMath.NetPositions(statements.Select(s => (s.Parties, s.Totals))).Value;
}
