using System.Diagnostics;
using Microsoft.Data.Sqlite;
using PartnerExchange.Testing;

namespace PartnerExchange.Server.Tests.Hosting;

/// <summary>
/// A server killed with SIGKILL while it migrates its ledger at start (inside EF Core's migration lock) must not
/// stop the next start: the next server on the same file migrates and serves.
/// </summary>
public sealed class StartAfterCrashTests : IDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(20);
    private const int Attempts = 5;

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "px-tests", Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task Start_AfterAKillInsideTheMigrationLock_Serves()
    {
        var databasePath = await KillInsideMigrationLockAsync();

        var exchange = new RunningExchange { DatabasePath = databasePath };
        try
        {
            await exchange.InitializeAsync().WaitAsync(StartTimeout);
            var partner = await exchange.CreatePartnerAsync();
            var member = await partner.EnrollAsync();
            await partner.AccrueAsync(member, 10);

            Assert.Equal(10, await partner.BalanceAsync(member));
            Assert.Empty(exchange.ErrorLogs);
        }
        finally
        {
            await exchange.DisposeAsync();
        }
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    /// <summary>
    /// Starts the server as its own process on a fresh ledger and kills it the moment EF Core's lock row is
    /// committed, while it is still migrating; returns that ledger. A migration can finish between the look and
    /// the kill, so it tries again on a fresh ledger until the kill lands inside the lock.
    /// </summary>
    private async Task<string> KillInsideMigrationLockAsync()
    {
        for (var attempt = 1; attempt <= Attempts; attempt++)
        {
            var dataDirectory = Path.Combine(_folder, $"attempt{attempt}");
            Directory.CreateDirectory(dataDirectory);
            var databasePath = Path.Combine(dataDirectory, "exchange.db");
            using var server = ServerProcess.Start(new Dictionary<string, string> { ["PX_DATA_DIR"] = dataDirectory });
            try
            {
                await WaitForLockRowAsync(databasePath, server);
            }
            finally
            {
                server.Kill(entireProcessTree: true);
                await server.WaitForExitAsync();
            }
            if (await LockRowCountAsync(databasePath) == 1)
            {
                return databasePath;
            }
        }
        throw new InvalidOperationException($"No kill landed inside the migration lock in {Attempts} attempts.");
    }

    /// <summary>
    /// Waits for the lock row, at most <see cref="AttemptTimeout"/>: on a busy machine the whole migration can pass
    /// between two looks, and the attempt then ends without a row (the caller tries a fresh ledger).
    /// </summary>
    private static async Task WaitForLockRowAsync(string databasePath, Process server)
    {
        var deadline = DateTime.UtcNow + AttemptTimeout;
        while (await LockRowCountAsync(databasePath) == 0 && DateTime.UtcNow < deadline)
        {
            Assert.False(server.HasExited, "The server exited before it took the migration lock.");
            await Task.Delay(5);
        }
    }

    /// <summary>Rows in EF Core's migration lock table; 0 while the file or the table does not exist yet.</summary>
    private static async Task<long> LockRowCountAsync(string databasePath)
    {
        if (!File.Exists(databasePath))
        {
            return 0;
        }
        var connectionString = new SqliteConnectionStringBuilder { DataSource = databasePath, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString();
        try
        {
            await using var connection = new SqliteConnection(connectionString);
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT count(*) FROM \"__EFMigrationsLock\"";
            return (long)(await command.ExecuteScalarAsync())!;
        }
        catch (SqliteException)
        {
            // No table yet, or the file is being switched to WAL.
            return 0;
        }
    }
}
