using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace PartnerExchange.Ledger.Storage.Sqlite;

/// <summary>
/// Serialises the processes that migrate one ledger file with a lock the operating system holds for the
/// process: an exclusive lock on a file beside the ledger, released when the process ends however it ends.
/// EF Core's own lock is a row in <c>__EFMigrationsLock</c> that a killed process leaves behind, after which
/// every later start waits on it for ever; under this lock such a row can only be a dead process's, so it is
/// removed (and said so) before EF Core looks for it.
/// </summary>
internal sealed partial class SqliteMigrationLock : IDisposable
{
    /// <summary>How often a start that waits on another process's migration says so.</summary>
    private static readonly TimeSpan WaitReportInterval = TimeSpan.FromSeconds(5);

    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(100);

    private readonly FileStream _lockFile;

    private SqliteMigrationLock(FileStream lockFile) => _lockFile = lockFile;

    /// <summary>The lock file of the ledger at <paramref name="databasePath"/>.</summary>
    public static string LockFilePath(string databasePath) => databasePath + "-migrations.lock";

    /// <summary>
    /// Takes the lock, waiting while another process holds it and logging what it waits for, then removes any
    /// EF Core migration lock that a process which died while migrating left in the ledger.
    /// </summary>
    public static async Task<SqliteMigrationLock> TakeAsync(string databasePath, string connectionString, ILogger logger, CancellationToken cancellationToken)
    {
        var lockPath = LockFilePath(databasePath);
        var waited = System.Diagnostics.Stopwatch.StartNew();
        var nextReport = TimeSpan.Zero;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (TryOpenExclusive(lockPath) is { } lockFile)
            {
                var taken = new SqliteMigrationLock(lockFile);
                try
                {
                    await RemoveAbandonedEfLockAsync(connectionString, logger, cancellationToken).ConfigureAwait(false);
                    return taken;
                }
                catch
                {
                    taken.Dispose();
                    throw;
                }
            }
            if (waited.Elapsed >= nextReport)
            {
                LogWaiting(logger, lockPath, (long)waited.Elapsed.TotalSeconds);
                nextReport = waited.Elapsed + WaitReportInterval;
            }
            await Task.Delay(RetryDelay, cancellationToken).ConfigureAwait(false);
        }
    }

    public void Dispose() => _lockFile.Dispose();

    // On Unix, .NET takes FileShare.None as an exclusive flock(2) on the open file, which the kernel drops
    // with the process; another open of the file with FileShare.None fails while it is held.
    private static FileStream? TryOpenExclusive(string lockPath)
    {
        try
        {
            return new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static async Task RemoveAbandonedEfLockAsync(string connectionString, ILogger logger, CancellationToken cancellationToken)
    {
        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText =
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '__EFMigrationsLock';";
        if (Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture) == 0)
        {
            return;
        }
        command.CommandText = "DELETE FROM \"__EFMigrationsLock\";";
        if (await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) > 0)
        {
            LogAbandonedLockRemoved(logger);
        }
    }

    [LoggerMessage(EventId = 2004, Level = LogLevel.Warning,
        Message = "Waiting for another process that is migrating the same ledger to finish (lock file {LockPath}, waited {WaitedSeconds} s).")]
    private static partial void LogWaiting(ILogger logger, string lockPath, long waitedSeconds);

    [LoggerMessage(EventId = 2005, Level = LogLevel.Warning,
        Message = "Removed a migration lock left in the ledger by a process that ended while migrating; migrating now.")]
    private static partial void LogAbandonedLockRemoved(ILogger logger);
}
