using Npgsql;
using PartnerExchange.Ledger.Storage;
using PartnerExchange.Testing;

namespace PartnerExchange.Ledger.Tests.Infrastructure;

/// <summary>
/// A migrated PostgreSQL ledger of its own for one test, on the test run's cluster (<see cref="PostgresServer.Shared"/>),
/// dropped when the test ends. The first one migrates a template database; every one after is a copy of it, which
/// PostgreSQL makes in a fraction of a migration's time (the contract suite makes about a hundred ledgers).
/// </summary>
internal sealed class TestPostgresDatabase : IAsyncDisposable
{
    private static readonly SemaphoreSlim TemplateLock = new(1, 1);
    private static string? _template;

    private TestPostgresDatabase(string connectionString)
    {
        ConnectionString = connectionString;
        // Pooled: a test reads through hundreds of short connections, each a new server process without a pool.
        DataSource = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = true }.ConnectionString);
    }

    public string ConnectionString { get; }

    /// <summary>The data source the engine under test opens its writer's session from, and the test its reads (pooled).</summary>
    public NpgsqlDataSource DataSource { get; }

    /// <summary>A new database with the ledger's schema, empty.</summary>
    public static async Task<TestPostgresDatabase> CreateAsync()
    {
        var template = await TemplateAsync();
        var name = "px_" + Guid.NewGuid().ToString("N");
        await using (var admin = new NpgsqlConnection(PostgresServer.Shared.AdminConnectionString))
        {
            await admin.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\" TEMPLATE \"{template}\"", admin);
            await command.ExecuteNonQueryAsync();
        }
        return new TestPostgresDatabase(PostgresServer.Shared.ConnectionString(name));
    }

    /// <summary>A database migrated once per test run, that every test's database copies (nobody connects to it after).</summary>
    private static async Task<string> TemplateAsync()
    {
        await TemplateLock.WaitAsync();
        try
        {
            if (_template is null)
            {
                var connectionString = await PostgresServer.Shared.CreateDatabaseAsync();
                await LedgerSchema.MigrateAsync(LedgerEngine.Postgres, connectionString, null, CancellationToken.None);
                _template = new NpgsqlConnectionStringBuilder(connectionString).Database!;
            }
            return _template;
        }
        finally
        {
            TemplateLock.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await DataSource.DisposeAsync();
        await PostgresServer.Shared.DropDatabaseAsync(ConnectionString);
    }
}
