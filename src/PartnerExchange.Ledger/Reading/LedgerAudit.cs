using Microsoft.Data.Sqlite;
using PartnerExchange.Domain.Ledger;

namespace PartnerExchange.Ledger.Reading;

/// <summary>A program's outstanding and expired points as of a moment.</summary>
public sealed record LiabilitySnapshot(string ProgramCode, DateTimeOffset AsOf, long OutstandingPoints, long ExpiredPoints);

/// <summary>
/// Reads for finance and audit on the SQLite ledger: liabilities as of any time, and a verification of every ledger
/// invariant (<see cref="LedgerInvariants"/>) on one snapshot: one read transaction in WAL mode.
/// </summary>
public sealed class LedgerAudit(LedgerDatabase database)
{
    /// <summary>A program's points held by members and expired before <paramref name="asOf"/>; null without such a partner.</summary>
    public async Task<LiabilitySnapshot?> GetLiabilityAsync(string programCode, DateTimeOffset asOf, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        // One snapshot for both sums, so outstanding and expired points always describe the same ledger.
        await using var snapshot = connection.BeginTransaction(deferred: true);
        if (await ScalarAsync(connection, snapshot, "SELECT COUNT(*) FROM partners WHERE program_code = $program", programCode, 0, cancellationToken)
                .ConfigureAwait(false) == 0)
        {
            return null;
        }
        // As of any moment, exactly: the postings of transactions committed before it.
        const string sumOfKind = "SELECT COALESCE(SUM(p.amount_points), 0) FROM postings p JOIN transactions t ON t.sequence = p.sequence " +
            "WHERE p.program_code = $program AND p.account_kind = $kind AND t.created_at_micros < $as_of";
        var asOfMicros = (asOf.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;
        var outstanding = await ScalarAsync(connection, snapshot, sumOfKind, programCode, asOfMicros, cancellationToken, ("$kind", (int)AccountKind.Member))
            .ConfigureAwait(false);
        var expired = await ScalarAsync(connection, snapshot, sumOfKind, programCode, asOfMicros, cancellationToken, ("$kind", (int)AccountKind.Expiry))
            .ConfigureAwait(false);
        return new LiabilitySnapshot(programCode, asOf, outstanding, expired);
    }

    /// <summary>Runs every check of <see cref="LedgerInvariants"/> on one snapshot of the ledger.</summary>
    public async Task<LedgerVerification> VerifyAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        // A deferred read transaction: its snapshot is taken at the first read and held to the end, and it never
        // takes the write lock (the default BEGIN IMMEDIATE would).
        await using var snapshot = connection.BeginTransaction(deferred: true);
        return await LedgerInvariants.VerifyAsync(snapshot, cancellationToken).ConfigureAwait(false);
    }

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(database.ConnectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        return connection;
    }

    private static async Task<long> ScalarAsync(
        SqliteConnection connection, SqliteTransaction snapshot, string sql, string programCode, long asOfMicros,
        CancellationToken cancellationToken, params (string Name, object Value)[] extra)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = snapshot;
        command.CommandText = sql;
        command.Parameters.AddWithValue("$program", programCode);
        command.Parameters.AddWithValue("$as_of", asOfMicros);
        foreach (var (name, value) in extra)
        {
            command.Parameters.AddWithValue(name, value);
        }
        return (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }
}
