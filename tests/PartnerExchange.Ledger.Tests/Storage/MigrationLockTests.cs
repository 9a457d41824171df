using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using PartnerExchange.Ledger.Storage.Sqlite;
using PartnerExchange.Ledger.Tests.Infrastructure;

namespace PartnerExchange.Ledger.Tests.Storage;

/// <summary>
/// A process killed while migrating leaves EF Core's lock row behind; the next start must migrate anyway, and
/// a start that waits for another live migrator says what it waits for.
/// </summary>
public sealed class MigrationLockTests : MigrationTest
{
    // Long enough for any migration on this machine; on a hang the test fails instead of running for ever.
    private static readonly TimeSpan MigrationTimeout = TimeSpan.FromSeconds(60);

    private string DatabasePath => Path.Combine(Folder, "exchange.db");

    [Fact]
    public async Task MigrateAsync_LockRowLeftByAKilledProcess_RemovesItAndMigrates()
    {
        // What EF Core's lock leaves when its process dies inside it.
        using (await Release110Ledger.CreateAsync(Folder,
            "INSERT INTO \"__EFMigrationsLock\" (\"Id\", \"Timestamp\") VALUES (1, '2026-12-07 10:00:00')"))
        {
        }
        var logger = new CollectingLogger<LedgerDatabase>();
        using var database = new LedgerDatabase(Options.Create(new LedgerOptions { DatabasePath = DatabasePath }), logger);

        using var timeout = new CancellationTokenSource(MigrationTimeout);
        await database.MigrateAsync(timeout.Token);

        Assert.Empty(await Release110Ledger.ScalarsAsync(database, "SELECT \"Id\" FROM \"__EFMigrationsLock\""));
        Assert.Empty(await PendingMigrationsAsync(database));
        Assert.Contains(logger.Entries, e => e.EventId.Id == 2005);
    }

    [Fact]
    public async Task MigrateAsync_AnotherProcessMigrating_WaitsSayingSoThenMigrates()
    {
        Directory.CreateDirectory(Folder);
        var logger = new CollectingLogger<LedgerDatabase>();
        using var database = new LedgerDatabase(Options.Create(new LedgerOptions { DatabasePath = DatabasePath }), logger);
        // The lock as another migrating process holds it: an exclusive lock on the lock file.
        var held = new FileStream(SqliteMigrationLock.LockFilePath(DatabasePath), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);

        using var timeout = new CancellationTokenSource(MigrationTimeout);
        var migration = database.MigrateAsync(timeout.Token);
        while (!logger.Entries.Any(e => e.EventId.Id == 2004))
        {
            Assert.False(migration.IsCompleted, "migrated while another process held the migration lock");
            await Task.Delay(20, timeout.Token);
        }
        await held.DisposeAsync();
        await migration;

        Assert.Empty(await PendingMigrationsAsync(database));
    }

    private static async Task<IEnumerable<string>> PendingMigrationsAsync(LedgerDatabase database)
    {
        await using var context = database.CreateContext();
        return await context.Database.GetPendingMigrationsAsync();
    }
}
