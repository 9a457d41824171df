using System.Globalization;
using Microsoft.Data.Sqlite;
using PartnerExchange.Bench.Reporting;

namespace PartnerExchange.Bench.Verification;

/// <summary>
/// The server's SQLite ledger opened read-only beside the running server (WAL lets a reader in at any time).
/// It finds acknowledged transactions, and checks the ledger's invariants itself when the exchange cannot.
/// </summary>
internal sealed class LedgerFile : IDisposable
{
    private const int SampleSize = 10;
    private const int QueryTimeoutSeconds = 600;

    private readonly SqliteConnection _connection;

    private LedgerFile(SqliteConnection connection) => _connection = connection;

    public static LedgerFile OpenReadOnly(string path)
    {
        // No pooling: the file must be let go before the benchmark removes its temporary folder.
        var builder = new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false };
        var connection = new SqliteConnection(builder.ToString());
        connection.Open();
        return new LedgerFile(connection);
    }

    /// <summary>Which of <paramref name="transactionIds"/> the transactions table holds.</summary>
    public AcknowledgedWritesCheck FindTransactions(IReadOnlySet<string> transactionIds)
    {
        var stored = new HashSet<string>(StringComparer.Ordinal);
        using (var reader = Query("SELECT transaction_id FROM transactions").ExecuteReader())
        {
            while (reader.Read())
            {
                stored.Add(reader.GetString(0));
            }
        }
        var missing = transactionIds.Where(id => !stored.Contains(id)).ToArray();
        return new AcknowledgedWritesCheck(
            true, transactionIds.Count, transactionIds.Count - missing.Length, missing.Length, missing.Take(SampleSize).ToArray(), null);
    }

    /// <summary>The invariants of the ledger, computed from its rows.</summary>
    public LedgerCheck CheckInvariants()
    {
        var findings = new List<string>();
        AddFindings(findings, "transaction_balances", "(sequence, program) whose postings do not sum to zero",
            "SELECT sequence || ' ' || program_code || ': ' || SUM(amount_points) FROM postings GROUP BY sequence, program_code HAVING SUM(amount_points) <> 0");
        AddFindings(findings, "account_balances_match_postings", "accounts whose balance is not the sum of their postings",
            """
            SELECT a.id || ' ' || a.program_code || '/' || a.member_number || ': ' || a.balance_points || ' vs ' || COALESCE(p.total, 0)
            FROM accounts a LEFT JOIN (SELECT account_id, SUM(amount_points) AS total FROM postings GROUP BY account_id) p ON p.account_id = a.id
            WHERE a.balance_points <> COALESCE(p.total, 0)
            """);
        AddFindings(findings, "member_balances_non_negative", "member accounts below zero",
            "SELECT program_code || '/' || member_number || ': ' || balance_points FROM accounts WHERE member_number <> '' AND balance_points < 0");
        AddFindings(findings, "sequence_gap_free", "gaps in the transaction sequence",
            "SELECT 'count ' || COUNT(*) || ', from ' || MIN(sequence) || ' to ' || MAX(sequence) FROM transactions HAVING COUNT(*) > 0 AND COUNT(*) <> MAX(sequence) - MIN(sequence) + 1");
        string[] checks = ["transaction_balances", "account_balances_match_postings", "member_balances_non_negative", "sequence_gap_free"];
        return new LedgerCheck("benchmark, from the ledger file (read-only)", findings.Count == 0, checks,
            Count("SELECT COUNT(*) FROM transactions"), Count("SELECT COUNT(*) FROM accounts"), findings);
    }

    public void Dispose() => _connection.Dispose();

    private void AddFindings(List<string> findings, string check, string what, string sql)
    {
        var rows = new List<string>();
        using (var reader = Query(sql).ExecuteReader())
        {
            while (reader.Read())
            {
                rows.Add(reader.GetString(0));
            }
        }
        if (rows.Count > 0)
        {
            findings.Add($"{check}: {rows.Count} {what}, e.g. {string.Join("; ", rows.Take(SampleSize))}");
        }
    }

    private long Count(string sql) => Convert.ToInt64(Query(sql).ExecuteScalar(), CultureInfo.InvariantCulture);

    private SqliteCommand Query(string sql)
    {
        var command = _connection.CreateCommand();
        command.CommandText = sql;
        command.CommandTimeout = QueryTimeoutSeconds;
        return command;
    }
}
