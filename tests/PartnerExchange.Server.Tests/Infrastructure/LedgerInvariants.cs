using Microsoft.Data.Sqlite;

namespace PartnerExchange.Server.Tests.Infrastructure;

/// <summary>
/// The ledger's invariants checked straight from a test's SQLite file, read-only and in one read transaction (one
/// consistent snapshot), by the same checker as <c>pxctl ledger verify</c>, so a test learns about a broken ledger
/// even when every RPC answered well.
/// </summary>
internal static class LedgerInvariants
{
    /// <summary>Fails the test with every violated invariant listed.</summary>
    public static void AssertHold(string databasePath)
    {
        using var connection = OpenReadOnly(databasePath);
        using var snapshot = connection.BeginTransaction(deferred: true);
        // Microsoft.Data.Sqlite runs its async methods synchronously, so waiting here blocks nothing else.
        var verification = Ledger.Reading.LedgerInvariants.VerifyAsync(snapshot, CancellationToken.None).GetAwaiter().GetResult();
        Assert.True(verification.Ok, "Ledger invariants violated:\n" + string.Join('\n', verification.Findings.Select(f => $"{f.Check}: {f.Detail}")));
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
}
