using System.Globalization;
using Microsoft.Data.Sqlite;
using PartnerExchange.Ledger.Reading;

namespace PartnerExchange.Ledger.Storage.Copy;

/// <summary>What an online backup wrote and how it verified.</summary>
/// <param name="Source">The ledger file backed up.</param>
/// <param name="Backup">The backup file written.</param>
/// <param name="Bytes">The backup's size.</param>
/// <param name="LastSequence">The sequence of the newest transaction in the backup (0 for none).</param>
/// <param name="Verification">The ledger's invariants on the backup.</param>
public sealed record LedgerBackupReport(string Source, string Backup, long Bytes, long LastSequence, LedgerVerification Verification);

/// <summary>
/// An online backup of a SQLite ledger (<c>pxctl ledger backup</c>), safe while the exchange writes: SQLite's backup
/// API copies the file's pages from one read transaction, which in WAL mode neither waits for the writer nor stops it,
/// so the backup is the ledger exactly as of one commit. It is written beside its destination under a temporary name,
/// checked (SQLite's integrity check, then every ledger invariant) and only then renamed into place.
/// </summary>
public static class LedgerBackup
{
    /// <summary>Backs up the ledger at <paramref name="sqlitePath"/> into the new file <paramref name="backupPath"/>.</summary>
    /// <exception cref="LedgerCopyException">No ledger at the source, the destination exists, or the backup is damaged.</exception>
    public static async Task<LedgerBackupReport> BackupAsync(string sqlitePath, string backupPath, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(sqlitePath);
        ArgumentException.ThrowIfNullOrEmpty(backupPath);
        var source = Path.GetFullPath(sqlitePath);
        var backup = Path.GetFullPath(backupPath);
        if (!File.Exists(source))
        {
            throw new LedgerCopyException($"There is no SQLite ledger at {source}.");
        }
        if (File.Exists(backup) || string.Equals(source, backup, StringComparison.Ordinal))
        {
            throw new LedgerCopyException($"{backup} exists already: a backup is written to a new file only.");
        }
        var partial = backup + ".partial";
        DeleteWithSidecars(partial);
        try
        {
            await CopyPagesAsync(source, partial, cancellationToken).ConfigureAwait(false);
            var (lastSequence, verification) = await CheckAsync(partial, cancellationToken).ConfigureAwait(false);
            File.Move(partial, backup);
            return new LedgerBackupReport(source, backup, new FileInfo(backup).Length, lastSequence, verification);
        }
        finally
        {
            DeleteWithSidecars(partial);
        }
    }

    private static async Task CopyPagesAsync(string source, string destination, CancellationToken cancellationToken)
    {
        await using var from = new SqliteConnection(SqliteSource.ConnectionString(source));
        await from.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var to = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = destination,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
        }.ToString());
        await to.OpenAsync(cancellationToken).ConfigureAwait(false);
        // All pages in one step, so in one read transaction of the source: a consistent ledger as of one commit.
        from.BackupDatabase(to);
        // The backup's header keeps the source's WAL mode; a rollback journal leaves one self-contained file, fsynced.
        await using var command = to.CreateCommand();
        command.CommandText = "PRAGMA journal_mode=DELETE; PRAGMA synchronous=FULL;";
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>SQLite's integrity check, then the ledger's invariants, on the backup; the newest sequence in it.</summary>
    private static async Task<(long LastSequence, LedgerVerification Verification)> CheckAsync(string backup, CancellationToken cancellationToken)
    {
        await using var connection = new SqliteConnection(SqliteSource.ConnectionString(backup));
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var snapshot = connection.BeginTransaction(deferred: true);
        await using var command = connection.CreateCommand();
        command.Transaction = snapshot;
        command.CommandText = "PRAGMA integrity_check;";
        var integrity = Convert.ToString(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
        if (integrity != "ok")
        {
            throw new LedgerCopyException($"The backup failed SQLite's integrity check ({integrity}); it was not kept.");
        }
        command.CommandText = "SELECT COALESCE(MAX(sequence), 0) FROM transactions;";
        var lastSequence = Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
        var verification = await LedgerInvariants.VerifyAsync(snapshot, cancellationToken).ConfigureAwait(false);
        return (lastSequence, verification);
    }

    private static void DeleteWithSidecars(string path)
    {
        foreach (var suffix in new[] { "", "-journal", "-wal", "-shm" })
        {
            File.Delete(path + suffix);
        }
    }
}
