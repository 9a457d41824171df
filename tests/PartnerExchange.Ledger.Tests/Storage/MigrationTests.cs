using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using PartnerExchange.Ledger.Storage;
using PartnerExchange.Ledger.Storage.Postgres;
using PartnerExchange.Ledger.Storage.Sqlite;
using PartnerExchange.Ledger.Tests.Infrastructure;

namespace PartnerExchange.Ledger.Tests.Storage;

/// <summary>
/// The one schema history on SQLite: a baseline that makes exactly release 1.1.0's schema, taken as applied on a
/// 1.1.0 ledger, and a clear refusal of anything older. Each engine's migrations match the model.
/// </summary>
public sealed class MigrationTests : MigrationTest
{
    private const string Baseline = "20261207230000_Baseline";

    private string DatabasePath => Path.Combine(Folder, "exchange.db");

    [Fact]
    public void Model_ComparedWithCheckedInMigrations_HasNoPendingChanges()
    {
        // A model change without its migration would pass every test on a fresh database yet never reach
        // an existing one: `dotnet ef migrations add <Name>` (for each engine) must come with it.
        var database = new LedgerDatabase(Options.Create(new LedgerOptions { DatabasePath = Path.Combine(Path.GetTempPath(), "px-model-check.db") }));
        using var context = database.CreateContext();

        Assert.False(context.Database.HasPendingModelChanges());
    }

    [Fact]
    public void Model_ComparedWithCheckedInPostgresMigrations_HasNoPendingChanges()
    {
        // Adding a migration never connects, and neither does this comparison.
        using var context = new PostgresLedgerContext(
            new DbContextOptionsBuilder<PostgresLedgerContext>().UseNpgsql("Host=127.0.0.1;Database=model_check").Options);

        Assert.False(context.Database.HasPendingModelChanges());
    }

    [Fact]
    public async Task MigrateAsync_NewFile_SchemaIsRelease110sUpgraded()
    {
        using var release110 = await Release110Ledger.CreateAsync(Path.Combine(Folder, "release110"));
        await release110.MigrateAsync(CancellationToken.None);
        using var database = NewLedger();

        await database.MigrateAsync(CancellationToken.None);

        Assert.Equal(await Release110Ledger.SchemaAsync(release110), await Release110Ledger.SchemaAsync(database));
        Assert.Equal(await HistoryAsync(release110), await HistoryAsync(database));
        Assert.Equal(Baseline, (await HistoryAsync(database))[0]);
    }

    [Fact]
    public async Task MigrateAsync_Release110Ledger_TakesTheBaselineAsAppliedAndKeepsRows()
    {
        using var database = await Release110Ledger.CreateAsync(Folder,
            "INSERT INTO settings (name, value) VALUES ('kept', x'01')");
        using var fresh = new LedgerDatabase(Options.Create(new LedgerOptions { DatabasePath = Path.Combine(Folder, "fresh.db") }));
        await fresh.MigrateAsync(CancellationToken.None);
        var logger = new CollectingLogger<LedgerDatabase>();
        using var opened = new LedgerDatabase(Options.Create(new LedgerOptions { DatabasePath = DatabasePath }), logger);

        // Running the baseline on it would fail at once: its tables exist.
        await opened.MigrateAsync(CancellationToken.None);

        // The baseline counted as applied, and what came after it run: the schema of a ledger made today.
        Assert.Equal(await HistoryAsync(fresh), await HistoryAsync(opened));
        Assert.Equal(await Release110Ledger.SchemaAsync(fresh), await Release110Ledger.SchemaAsync(opened));
        Assert.Equal(["kept"], await Release110Ledger.ScalarsAsync(opened, "SELECT name FROM settings"));
        Assert.Contains(logger.Entries, e => e.EventId.Id == 2006);
    }

    [Fact]
    public async Task MigrateAsync_LedgerOlderThanRelease110_RefusesAndChangesNothing()
    {
        // A ledger of release 1.0.0, say: its history stops before 1.1.0's last migration.
        using var database = await Release110Ledger.CreateAsync(Folder,
            $"DELETE FROM \"__EFMigrationsHistory\" WHERE \"MigrationId\" >= '20261207'");
        var historyBefore = await HistoryAsync(database);
        var logger = new CollectingLogger<LedgerDatabase>();
        using var opened = new LedgerDatabase(Options.Create(new LedgerOptions { DatabasePath = DatabasePath }), logger);

        await Assert.ThrowsAsync<LedgerSchemaException>(() => opened.MigrateAsync(CancellationToken.None));

        Assert.Equal(historyBefore, await HistoryAsync(opened));
        Assert.Contains(logger.Entries, e => e.EventId.Id == 2007);
    }

    [Fact]
    public async Task MigrateAsync_BaselineAlreadyApplied_AppliesNothing()
    {
        using var database = NewLedger();
        await database.MigrateAsync(CancellationToken.None);

        var applied = await LedgerSchema.MigrateAsync(LedgerEngine.Sqlite, database.ConnectionString, null, CancellationToken.None);

        Assert.Empty(applied);
    }

    [Fact]
    public void SqliteSchema_Release110LastMigration_IsTheFixturesLast()
    {
        var fixture = File.ReadAllText(Release110Ledger.ScriptPath);

        Assert.Contains($"INSERT INTO __EFMigrationsHistory VALUES('{SqliteSchema.Release110LastMigration}',", fixture, StringComparison.Ordinal);
    }

    private LedgerDatabase NewLedger()
    {
        Directory.CreateDirectory(Folder);
        return new LedgerDatabase(Options.Create(new LedgerOptions { DatabasePath = DatabasePath }));
    }

    private static Task<List<string>> HistoryAsync(LedgerDatabase database) =>
        Release110Ledger.ScalarsAsync(database, "SELECT \"MigrationId\" FROM \"__EFMigrationsHistory\" ORDER BY \"MigrationId\"");
}
