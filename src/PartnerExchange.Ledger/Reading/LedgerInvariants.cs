using System.Data.Common;
using PartnerExchange.Domain.Ledger;
using PartnerExchange.Domain.Money;
using PartnerExchange.Ledger.Storage;

namespace PartnerExchange.Ledger.Reading;

/// <summary>One broken invariant, named by its check, with the rows concerned.</summary>
public sealed record LedgerFinding(string Check, string Detail);

/// <summary>What a verification examined and every broken invariant it found.</summary>
public sealed record LedgerVerification(
    IReadOnlyList<string> Checks, long TransactionCount, long AccountCount, long StatementCount, IReadOnlyList<LedgerFinding> Findings)
{
    /// <summary>True when every check passed.</summary>
    public bool Ok => Findings.Count == 0;
}

/// <summary>
/// The ledger's invariants, written once: <c>pxctl ledger verify</c> (SettlementService.VerifyLedger), the tests and
/// the benchmark all run these checks. Each is one set-based query, so it runs on a ledger of any size; all of them
/// read inside the one snapshot the caller hands in, so a write landing meanwhile cannot cause a false finding.
/// The queries are plain SQL that SQLite and PostgreSQL both accept (no engine-only functions); only the opening of
/// the snapshot is the engine's (see <see cref="LedgerAudit"/> for SQLite's).
/// </summary>
public static class LedgerInvariants
{
    /// <summary>Most findings reported per check; a broken ledger is described, not dumped.</summary>
    public const int MaxFindingsPerCheck = 100;

    // The refund a statement's payee owes when its gross is negative: what a payment may settle beyond the amount due.
    // Every obligation recorded in a closed period, as `p` and `o`. Periods are few and never overlap: each reads its
    // obligations along the index by time.
    private const string ObligationsOfClosedPeriods =
        "settlement_periods p JOIN obligations o ON o.created_at_micros >= p.start_micros AND o.created_at_micros < p.end_micros";

    // An obligation `o` in no statement: recorded in no closed period.
    private const string NotInAClosedPeriod =
        "NOT EXISTS (SELECT 1 FROM settlement_periods p WHERE o.created_at_micros >= p.start_micros AND o.created_at_micros < p.end_micros)";

    private const string RefundDue = "CASE WHEN s.gross_amount_minor < 0 THEN -s.gross_amount_minor ELSE 0 END";

    // Every account whose kept totals by kind differ from its postings summed by their transactions' kind.
    private static readonly string AccountTotalsCheckSql =
        "SELECT 'account ' || a.id || ' (' || a.program_code || '/' || a.kind || '/' || a.member_number || ') keeps totals by kind " +
        "that differ from its postings' FROM accounts a LEFT JOIN (SELECT p.account_id AS id, " +
        string.Join(", ", AccountTotalColumns.Kinds.Select(k =>
            $"SUM(CASE WHEN t.kind = {(int)k} AND p.amount_points > 0 THEN p.amount_points ELSE 0 END) AS {AccountTotalColumns.Credit(k)}, " +
            $"SUM(CASE WHEN t.kind = {(int)k} AND p.amount_points < 0 THEN -p.amount_points ELSE 0 END) AS {AccountTotalColumns.Debit(k)}")) +
        " FROM postings p JOIN transactions t ON t.sequence = p.sequence GROUP BY p.account_id) x ON x.id = a.id WHERE " +
        string.Join(" OR ", AccountTotalColumns.Kinds.SelectMany(k => new[] { AccountTotalColumns.Credit(k), AccountTotalColumns.Debit(k) })
            .Select(column => $"a.{column} <> COALESCE(x.{column}, 0)"));

    // Every obligation whose minor units are not its micros rounded half away from zero at its currency's exponent
    // (Domain.Money.Settlement documents the rule); written here in SQL on its own, not by calling the writer's code.
    private static readonly string MinorUnitsCheckSql =
        "SELECT 'obligation ' || o.sequence || ': ' || o.amount_micros || ' micros of ' || o.currency_code || ' recorded as ' || " +
        "o.amount_minor || ' minor units' FROM (SELECT sequence, currency_code, amount_micros, amount_minor, " + MicrosPerMinorUnit("currency_code") +
        " AS micros_per_minor FROM obligations) o WHERE o.micros_per_minor IS NOT NULL AND o.amount_minor <> o.amount_micros / o.micros_per_minor + " +
        "CASE WHEN ABS(o.amount_micros % o.micros_per_minor) * 2 >= o.micros_per_minor " +
        "THEN CASE WHEN o.amount_micros < 0 THEN -1 ELSE 1 END ELSE 0 END";

    // Each check: a name, and a query returning one row per violation whose columns describe it. Every query
    // reads each table once or through an index, never a table per row of another (a test reads their plans).
    internal static readonly (string Check, string Sql)[] Checks =
    [
        ("transaction_balances",
            "SELECT 'sequence ' || sequence || ' program ' || program_code || ' sums to ' || SUM(amount_points) " +
            "FROM postings GROUP BY sequence, program_code HAVING SUM(amount_points) <> 0"),
        ("account_balances",
            "SELECT 'account ' || a.id || ' (' || a.program_code || '/' || a.kind || '/' || a.member_number || ') holds ' || " +
            "a.balance_points || ' but its postings sum to ' || COALESCE(SUM(p.amount_points), 0) " +
            "FROM accounts a LEFT JOIN postings p ON p.account_id = a.id GROUP BY a.id HAVING a.balance_points <> COALESCE(SUM(p.amount_points), 0)"),
        ("account_totals_by_kind", AccountTotalsCheckSql),
        ("postings_match_accounts",
            "SELECT 'posting ' || p.id || ' names ' || p.program_code || '/' || p.account_kind || '/' || p.member_number || " +
            "' unlike its account ' || p.account_id FROM postings p LEFT JOIN accounts a ON a.id = p.account_id " +
            "WHERE a.id IS NULL OR p.program_code <> a.program_code OR p.account_kind <> a.kind OR p.member_number <> a.member_number"),
        ("member_balances_non_negative",
            "SELECT 'member ' || program_code || '/' || member_number || ' holds ' || balance_points FROM accounts " +
            $"WHERE (kind = {(int)AccountKind.Member} OR member_number <> '') AND balance_points < 0"),
        ("sequence_gap_free",
            "SELECT 'sequence has ' || COUNT(*) || ' transactions numbered ' || MIN(sequence) || '..' || MAX(sequence) FROM transactions " +
            "HAVING COUNT(*) > 0 AND (MIN(sequence) <> 1 OR MAX(sequence) <> COUNT(*))"),
        ("postings_reference_transactions",
            "SELECT 'posting ' || p.id || ' names missing transaction ' || p.sequence FROM postings p " +
            "LEFT JOIN transactions t ON t.sequence = p.sequence WHERE t.sequence IS NULL " +
            "UNION ALL SELECT 'transaction ' || t.sequence || ' has no postings' FROM transactions t " +
            "WHERE NOT EXISTS (SELECT 1 FROM postings p WHERE p.sequence = t.sequence)"),
        ("obligations_match_conversions",
            $"SELECT 'conversion ' || t.sequence || ' has no obligation' FROM transactions t WHERE t.kind = {(int)TransactionKind.Conversion} " +
            "AND NOT EXISTS (SELECT 1 FROM obligations o WHERE o.sequence = t.sequence) " +
            "UNION ALL SELECT 'obligation ' || o.sequence || ' amount ' || o.amount_micros || ' is not points × price' FROM obligations o " +
            "WHERE o.amount_micros <> o.destination_points * o.point_price_micros " +
            "UNION ALL SELECT 'obligation ' || o.sequence || ' owes for ' || o.destination_points || ' points but the payee member got ' || " +
            "(SELECT COALESCE(SUM(p.amount_points), 0) FROM postings p WHERE p.sequence = o.sequence AND p.program_code = o.payee_program_code " +
            $"AND p.account_kind = {(int)AccountKind.Member}) FROM obligations o " +
            "WHERE o.destination_points <> (SELECT COALESCE(SUM(p.amount_points), 0) FROM postings p WHERE p.sequence = o.sequence " +
            $"AND p.program_code = o.payee_program_code AND p.account_kind = {(int)AccountKind.Member}) " +
            "UNION ALL SELECT 'obligation ' || o.sequence || ' belongs to no conversion nor its reversal' FROM obligations o " +
            $"LEFT JOIN transactions t ON t.sequence = o.sequence WHERE t.sequence IS NULL OR NOT (t.kind = {(int)TransactionKind.Conversion} " +
            $"OR (t.kind = {(int)TransactionKind.Reversal} AND EXISTS (SELECT 1 FROM obligations x WHERE x.sequence = t.reverses_sequence))) " +
            "UNION ALL SELECT 'reversal ' || t.sequence || ' does not negate the obligation of ' || t.reverses_sequence FROM transactions t " +
            $"JOIN obligations o ON o.sequence = t.reverses_sequence LEFT JOIN obligations r ON r.sequence = t.sequence WHERE t.kind = {(int)TransactionKind.Reversal} " +
            "AND (r.sequence IS NULL OR r.destination_points <> -o.destination_points OR r.amount_micros <> -o.amount_micros " +
            "OR r.amount_minor <> -o.amount_minor OR r.payer_program_code <> o.payer_program_code OR r.payee_program_code <> o.payee_program_code " +
            "OR r.currency_code <> o.currency_code)"),
        ("conversions_owe_their_counterparty",
            "SELECT 'conversion ' || t.sequence || ' by ' || t.requester_program_code || ' into ' || t.counterparty_program_code || " +
            "' records an obligation of ' || o.payer_program_code || ' to ' || o.payee_program_code " +
            $"FROM transactions t JOIN obligations o ON o.sequence = t.sequence WHERE t.kind = {(int)TransactionKind.Conversion} " +
            "AND (o.payer_program_code <> t.requester_program_code OR o.payee_program_code <> t.counterparty_program_code)"),
        ("obligations_in_minor_units", MinorUnitsCheckSql),
        ("reversals_unique",
            "SELECT 'transaction ' || reverses_sequence || ' is reversed ' || COUNT(*) || ' times' FROM transactions " +
            "WHERE reverses_sequence IS NOT NULL GROUP BY reverses_sequence HAVING COUNT(*) > 1"),
        ("lots_match_balances",
            "SELECT 'account ' || a.id || ' (' || a.program_code || '/' || a.member_number || ') holds ' || a.balance_points || " +
            "' but its lots hold ' || COALESCE(SUM(l.remaining_points), 0) FROM accounts a LEFT JOIN point_lots l ON l.account_id = a.id " +
            // Only lots holding points, which the account's index covers; a lot below zero is reported below.
            "AND l.remaining_points > 0 " +
            $"WHERE a.kind = {(int)AccountKind.Member} GROUP BY a.id HAVING a.balance_points <> COALESCE(SUM(l.remaining_points), 0) " +
            "UNION ALL SELECT 'lot ' || l.id || ' holds ' || l.remaining_points || ' of ' || l.original_points || ' but its movements sum to ' || " +
            "COALESCE(SUM(m.points), 0) FROM point_lots l LEFT JOIN lot_movements m ON m.lot_id = l.id GROUP BY l.id " +
            "HAVING l.remaining_points <> l.original_points + COALESCE(SUM(m.points), 0) OR l.remaining_points < 0 " +
            "OR l.remaining_points > l.original_points"),
        ("events_match_postings",
            // Events have no index by transaction (it would cost every commit a page), so the member movements are
            // matched against the events as two sets in one pass each, never event by event.
            "SELECT 'transaction ' || moved.transaction_id || ' moved member ' || moved.program_code || '/' || moved.member_number || " +
            "' by ' || moved.amount_points || ' without its event' FROM (SELECT t.transaction_id, p.program_code, p.member_number, " +
            "p.amount_points FROM postings p JOIN transactions t ON t.sequence = p.sequence " +
            // Transactions whose events retention has pruned are left out; the rest must each have theirs.
            $"WHERE p.account_kind = {(int)AccountKind.Member} " +
            "AND t.sequence > (SELECT COALESCE(MAX(pruned_through_sequence), 0) FROM event_retention WHERE program_code = '') " +
            "EXCEPT SELECT transaction_id, program_code, member_number, points FROM events WHERE transaction_id IS NOT NULL) AS moved " +
            "UNION ALL SELECT 'event ' || e.cursor || ' names transaction ' || e.transaction_id || ' which did not move ' || e.program_code || '/' || " +
            "e.member_number FROM events e WHERE e.transaction_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM postings p JOIN transactions t " +
            "ON t.sequence = p.sequence WHERE t.transaction_id = e.transaction_id AND p.program_code = e.program_code " +
            $"AND p.member_number = e.member_number AND p.account_kind = {(int)AccountKind.Member})"),
        ("statements_equal_their_lines",
            // A statement's lines are the obligations recorded in its period between its parties (see SettlementQueries):
            // its stored counts and sums must be theirs.
            "SELECT 'statement ' || s.statement_id || ' says ' || s.line_count || ' lines, ' || s.destination_points || ' points, ' || " +
            "s.gross_amount_micros || ' micros; its lines hold ' || COALESCE(x.n, 0) || ', ' || COALESCE(x.points, 0) || ', ' || COALESCE(x.micros, 0) " +
            "FROM statements s LEFT JOIN (SELECT p.period_id, o.payer_program_code AS payer, o.payee_program_code AS payee, " +
            "o.currency_code AS currency, COUNT(*) AS n, SUM(o.destination_points) AS points, SUM(o.amount_micros) AS micros " +
            $"FROM {ObligationsOfClosedPeriods} GROUP BY p.period_id, o.payer_program_code, o.payee_program_code, o.currency_code) x " +
            "ON x.period_id = s.period_id AND x.payer = s.payer_program_code AND x.payee = s.payee_program_code AND x.currency = s.currency_code " +
            "WHERE s.line_count <> COALESCE(x.n, 0) OR s.destination_points <> COALESCE(x.points, 0) OR s.gross_amount_micros <> COALESCE(x.micros, 0) " +
            // What a statement settles is its amount due, or on a refund statement the refund the payee owes.
            "UNION ALL SELECT 'statement ' || s.statement_id || ' is paid ' || SUM(p.amount_minor) || ' of ' || " +
            "(s.amount_due_minor + " + RefundDue + ") FROM statements s JOIN payments p ON p.statement_id = s.statement_id " +
            "GROUP BY s.statement_id HAVING SUM(p.amount_minor) > s.amount_due_minor + " + RefundDue),
        ("closed_periods_hold_their_obligations",
            "SELECT 'obligation ' || o.sequence || ' was recorded in closed period ' || p.period_id || ' but no statement holds it' " +
            $"FROM {ObligationsOfClosedPeriods} WHERE NOT EXISTS (SELECT 1 FROM statements s WHERE s.period_id = p.period_id " +
            "AND s.payer_program_code = o.payer_program_code AND s.payee_program_code = o.payee_program_code AND s.currency_code = o.currency_code) " +
            // Statement lines are read within the period's sequence span: an obligation outside it would be left out.
            "UNION ALL SELECT 'obligation ' || o.sequence || ' of closed period ' || p.period_id || ' lies outside its sequence span ' || " +
            $"p.first_sequence || '-' || p.last_sequence FROM {ObligationsOfClosedPeriods} " +
            "WHERE o.sequence < p.first_sequence OR o.sequence > p.last_sequence"),
        ("pairs_settle_their_obligations",
            // Per period, payer, payee and currency: the statement's gross equals the pair's obligations of the
            // period net of reversals, and its amount due minus its refund due is that gross in minor units, so
            // what one period's conversion owed and a later period's reversal gave back is owed by someone.
            "SELECT 'period ' || period || ' ' || payer || '->' || payee || ' ' || currency || ': statement ' || SUM(stated) || " +
            "' micros, obligations ' || SUM(owed) || ' micros, dues off gross by ' || SUM(off) || ' minor' " +
            "FROM (SELECT s.period_id AS period, s.payer_program_code AS payer, s.payee_program_code AS payee, s.currency_code AS currency, " +
            "s.gross_amount_micros AS stated, 0 AS owed, ABS(s.amount_due_minor - " + RefundDue + " - s.gross_amount_minor) AS off " +
            "FROM statements s UNION ALL SELECT p.period_id, o.payer_program_code, o.payee_program_code, o.currency_code, 0, o.amount_micros, 0 " +
            $"FROM {ObligationsOfClosedPeriods}) AS pair_amounts " +
            "GROUP BY period, payer, payee, currency HAVING SUM(stated) <> SUM(owed) OR SUM(off) <> 0"),
        ("open_obligation_totals_match",
            // The totals the writer keeps to refuse a conversion no period could total, against the obligations.
            "SELECT 'partner ' || program || ' keeps ' || SUM(kept) || ' open micros in ' || currency || " +
            "' but its obligations in no statement add up to ' || SUM(actual) FROM (" +
            "SELECT program_code AS program, currency_code AS currency, open_micros AS kept, 0 AS actual FROM open_obligation_totals " +
            $"UNION ALL SELECT o.payer_program_code, o.currency_code, 0, ABS(o.amount_micros) FROM obligations o WHERE {NotInAClosedPeriod} " +
            $"UNION ALL SELECT o.payee_program_code, o.currency_code, 0, ABS(o.amount_micros) FROM obligations o WHERE {NotInAClosedPeriod}) AS open_amounts " +
            "GROUP BY program, currency HAVING SUM(kept) <> SUM(actual)"),
    ];

    /// <summary>The name of every check, in the order they run.</summary>
    public static IReadOnlyList<string> CheckNames { get; } = Checks.Select(c => c.Check).ToArray();

    /// <summary>
    /// Runs every check inside <paramref name="snapshot"/>: a read transaction the engine opened so that every
    /// query sees one consistent ledger. The caller owns and disposes it.
    /// </summary>
    public static async Task<LedgerVerification> VerifyAsync(DbTransaction snapshot, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var findings = new List<LedgerFinding>();
        foreach (var (check, sql) in Checks)
        {
            await using var command = Command(snapshot, $"SELECT * FROM ({sql}) AS findings LIMIT {MaxFindingsPerCheck}");
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                findings.Add(new LedgerFinding(check, reader.GetString(0)));
            }
        }
        return new LedgerVerification(
            CheckNames,
            await CountAsync(snapshot, "transactions", cancellationToken).ConfigureAwait(false),
            await CountAsync(snapshot, "accounts", cancellationToken).ConfigureAwait(false),
            await CountAsync(snapshot, "statements", cancellationToken).ConfigureAwait(false),
            findings);
    }

    /// <summary>Micros per minor unit of the currency in <paramref name="column"/>, from the supported currencies; NULL for another.</summary>
    private static string MicrosPerMinorUnit(string column)
    {
        var byExponent = Currencies.Codes
            .Select(code => (Code: code, Exponent: Currencies.TryGetMinorUnitExponent(code, out var exponent) ? exponent : -1))
            .GroupBy(c => c.Exponent)
            .OrderBy(g => g.Key);
        return "CASE " + string.Concat(byExponent.Select(g =>
            $"WHEN {column} IN ({string.Join(", ", g.Select(c => $"'{c.Code}'").Order(StringComparer.Ordinal))}) " +
            $"THEN {(long)Math.Pow(10, 6 - g.Key)} ")) + "END";
    }

    private static DbCommand Command(DbTransaction snapshot, string sql)
    {
        var command = snapshot.Connection!.CreateCommand();
        command.Transaction = snapshot;
        command.CommandText = sql;
        return command;
    }

    private static async Task<long> CountAsync(DbTransaction snapshot, string table, CancellationToken cancellationToken)
    {
        await using var command = Command(snapshot, $"SELECT COUNT(*) FROM {table}");
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
    }
}
