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
            using var server = StartServer(dataDirectory);
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

    private static Process StartServer(string dataDirectory)
    {
        var serverDll = Path.Combine(AppContext.BaseDirectory, "PartnerExchange.Server.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(serverDll);
        start.Environment["PX_DATA_DIR"] = dataDirectory;
        start.Environment["PX_LISTEN"] = $"http://127.0.0.1:{LoopbackPorts.Free()}";
        start.Environment["PX_OPERATOR_KEY"] = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        start.Environment["PX_REDIS"] = RedisServer.Shared.Configuration;
        var process = Process.Start(start) ?? throw new InvalidOperationException("The server process did not start.");
        // Drained so a full pipe never blocks the server.
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task WaitForLockRowAsync(string databasePath, Process server)
    {
        using var timeout = new CancellationTokenSource(StartTimeout);
        while (await LockRowCountAsync(databasePath) == 0)
        {
            Assert.False(server.HasExited, "The server exited before it took the migration lock.");
            await Task.Delay(5, timeout.Token);
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
