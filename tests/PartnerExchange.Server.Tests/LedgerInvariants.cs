using System.Globalization;
using Microsoft.Data.Sqlite;

namespace PartnerExchange.Server.Tests;

/// <summary>
/// Checks the ledger's invariants straight from a test's SQLite file, read-only and in one read transaction
/// (one consistent snapshot), so a test learns about a broken ledger even when every RPC answered well.
/// </summary>
internal static class LedgerInvariants
{
    // Stored values (see PartnerExchange.Domain.Ledger): never renumbered.
    private const int MemberAccountKind = 1;
    private const int ConversionKind = 3;
    private const int ReversalKind = 4;

    // Minor-unit exponents of the settlement currencies the tests use.
    private static readonly Dictionary<string, int> MinorUnitExponents = new(StringComparer.Ordinal)
    {
        ["USD"] = 2,
        ["EUR"] = 2,
        ["JPY"] = 0,
        ["KWD"] = 3,
    };

    /// <summary>Fails the test with every violated invariant listed.</summary>
    public static void AssertHold(string databasePath)
    {
        var violations = Check(databasePath);
        Assert.True(violations.Count == 0, "Ledger invariants violated:\n" + string.Join('\n', violations));
    }

    /// <summary>Every violated invariant, one line each; empty when the ledger is sound.</summary>
    public static IReadOnlyList<string> Check(string databasePath)
    {
        using var connection = OpenReadOnly(databasePath);
        using var snapshot = connection.BeginTransaction(deferred: true);
        var violations = new List<string>();

        Collect(connection, violations, "postings do not sum to zero in transaction {0}, program {1}: {2}",
            "SELECT sequence, program_code, SUM(amount_points) FROM postings GROUP BY sequence, program_code HAVING SUM(amount_points) <> 0");
        Collect(connection, violations, "account {0} has balance {1} but its postings sum to {2}",
            "SELECT a.id, a.balance_points, COALESCE(SUM(p.amount_points), 0) FROM accounts a LEFT JOIN postings p ON p.account_id = a.id " +
            "GROUP BY a.id, a.balance_points HAVING a.balance_points <> COALESCE(SUM(p.amount_points), 0)");
        Collect(connection, violations, "posting {0} names program {1} / kind {2} / member '{3}' unlike its account {4}",
            "SELECT p.id, p.program_code, p.account_kind, p.member_number, p.account_id FROM postings p JOIN accounts a ON a.id = p.account_id " +
            "WHERE p.program_code <> a.program_code OR p.account_kind <> a.kind OR p.member_number <> a.member_number");
        Collect(connection, violations, "member {1} of {0} has a negative balance {2}",
            $"SELECT program_code, member_number, balance_points FROM accounts WHERE kind = {MemberAccountKind} AND balance_points < 0");
        Collect(connection, violations, "postings of sequence {0} have no transaction",
            "SELECT DISTINCT p.sequence FROM postings p WHERE NOT EXISTS (SELECT 1 FROM transactions t WHERE t.sequence = p.sequence)");
        Collect(connection, violations, "transaction {0} has no postings",
            "SELECT t.sequence FROM transactions t WHERE NOT EXISTS (SELECT 1 FROM postings p WHERE p.sequence = t.sequence)");
        CheckSequenceIsGapFree(connection, violations);
        CheckObligations(connection, violations);
        return violations;
    }

    /// <summary>How many obligations one partner has towards another, and their sums (a reversal's cancelling row included).</summary>
    public static (long Count, long AmountMicros, long AmountMinor) ObligationsBetween(string databasePath, string payer, string payee)
    {
        using var connection = OpenReadOnly(databasePath);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*), COALESCE(SUM(amount_micros), 0), COALESCE(SUM(amount_minor), 0) FROM obligations " +
            "WHERE payer_program_code = $payer AND payee_program_code = $payee";
        command.Parameters.AddWithValue("$payer", payer);
        command.Parameters.AddWithValue("$payee", payee);
        using var reader = command.ExecuteReader();
        reader.Read();
        return (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
    }

    private static SqliteConnection OpenReadOnly(string databasePath)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = databasePath,
            Mode = SqliteOpenMode.ReadOnly,
            Pooling = false,
        }.ToString());
        connection.Open();
        return connection;
    }

    private static void CheckSequenceIsGapFree(SqliteConnection connection, List<string> violations)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*), COALESCE(MIN(sequence), 0), COALESCE(MAX(sequence), 0) FROM transactions";
        using var reader = command.ExecuteReader();
        reader.Read();
        var (count, min, max) = (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
        // The sequence is the primary key, so N distinct numbers from 1 to N are exactly 1..N.
        if (count > 0 && (min != 1 || max != count))
        {
            violations.Add($"transaction sequence is not 1..N without gaps: {count} transactions, from {min} to {max}");
        }
    }

    private static void CheckObligations(SqliteConnection connection, List<string> violations)
    {
        Collect(connection, violations, "conversion {0} has {1} obligations instead of one",
            "SELECT t.sequence, COUNT(o.sequence) FROM transactions t LEFT JOIN obligations o ON o.sequence = t.sequence " +
            $"WHERE t.kind = {ConversionKind} GROUP BY t.sequence HAVING COUNT(o.sequence) <> 1");
        Collect(connection, violations, "obligation {0} of {1} × {2} micros records {3} micros",
            "SELECT sequence, destination_points, point_price_micros, amount_micros FROM obligations " +
            "WHERE amount_micros <> destination_points * point_price_micros");
        Collect(connection, violations, "obligation {0} is recorded on a transaction of kind {1}",
            $"SELECT o.sequence, COALESCE(t.kind, 0) FROM obligations o LEFT JOIN transactions t ON t.sequence = o.sequence WHERE COALESCE(t.kind, 0) NOT IN ({ConversionKind}, {ReversalKind})");
        Collect(connection, violations, "conversion {0} by {1} into {2} records an obligation of {3} to {4}",
            "SELECT t.sequence, t.requester_program_code, t.counterparty_program_code, o.payer_program_code, o.payee_program_code " +
            "FROM transactions t JOIN obligations o ON o.sequence = t.sequence " +
            $"WHERE t.kind = {ConversionKind} AND (o.payer_program_code <> t.requester_program_code OR o.payee_program_code <> t.counterparty_program_code)");
        Collect(connection, violations, "conversion {0} owes for {1} destination points but credited {2}",
            "SELECT o.sequence, o.destination_points, COALESCE((SELECT SUM(p.amount_points) FROM postings p WHERE p.sequence = o.sequence " +
            $"AND p.program_code = o.payee_program_code AND p.account_kind = {MemberAccountKind}), 0) AS credited FROM obligations o " +
            $"JOIN transactions t ON t.sequence = o.sequence WHERE t.kind = {ConversionKind} AND o.destination_points <> credited");
        Collect(connection, violations, "reversal {0} of conversion {1} records {2} micros / {3} minor against the original's {4} / {5}",
            "SELECT r.sequence, t.reverses_sequence, r.amount_micros, r.amount_minor, COALESCE(o.amount_micros, 0), COALESCE(o.amount_minor, 0) " +
            "FROM obligations r JOIN transactions t ON t.sequence = r.sequence LEFT JOIN obligations o ON o.sequence = t.reverses_sequence " +
            $"WHERE t.kind = {ReversalKind} AND (o.sequence IS NULL OR r.amount_micros <> -o.amount_micros OR r.amount_minor <> -o.amount_minor)");
        Collect(connection, violations, "reversed conversion {0} has no cancelling obligation",
            "SELECT t.reverses_sequence FROM transactions t JOIN transactions o ON o.sequence = t.reverses_sequence " +
            $"WHERE t.kind = {ReversalKind} AND o.kind = {ConversionKind} AND NOT EXISTS (SELECT 1 FROM obligations x WHERE x.sequence = t.sequence)");
        CheckMinorUnits(connection, violations);
    }

    private static void CheckMinorUnits(SqliteConnection connection, List<string> violations)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT sequence, currency_code, amount_micros, amount_minor FROM obligations";
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            var (sequence, currency, micros, minor) = (reader.GetInt64(0), reader.GetString(1), reader.GetInt64(2), reader.GetInt64(3));
            if (MinorUnitExponents.TryGetValue(currency, out var exponent) && MinorRoundedHalfAwayFromZero(micros, exponent) != minor)
            {
                violations.Add($"obligation {sequence}: {micros} micros of {currency} recorded as {minor} minor units");
            }
        }
    }

    /// <summary>The documented rounding, written independently of the server's: half away from zero.</summary>
    internal static long MinorRoundedHalfAwayFromZero(long micros, int exponent) =>
        (long)Math.Round(micros / (decimal)Math.Pow(10, 6 - exponent), MidpointRounding.AwayFromZero);

    private static void Collect(SqliteConnection connection, List<string> violations, string format, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            var values = new object[reader.FieldCount];
            reader.GetValues(values);
            violations.Add(string.Format(CultureInfo.InvariantCulture, format, values));
        }
    }
}
