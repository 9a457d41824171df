using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;
using PartnerExchange.Ledger.Storage;
using PartnerExchange.Ledger.Storage.Postgres;
using PartnerExchange.Ledger.Tests.Infrastructure;
using PartnerExchange.Testing;

namespace PartnerExchange.Ledger.Tests.Storage;

/// <summary>
/// The PostgreSQL migration set on a real server (the test run's own cluster, a database per test): it makes the
/// model's schema, and servers that migrate together, or after one died while migrating, end with one schema.
/// </summary>
public sealed class PostgresMigrationTests : IAsyncLifetime
{
    private const string Baseline = "20261207230000_Baseline";

    // Long enough for any migration on this machine; on a hang the test fails instead of running for ever.
    private static readonly TimeSpan MigrationTimeout = TimeSpan.FromSeconds(60);

    private string _connectionString = "";

    public async Task InitializeAsync() => _connectionString = await PostgresServer.Shared.CreateDatabaseAsync();

    public Task DisposeAsync() => PostgresServer.Shared.DropDatabaseAsync(_connectionString);

    [Fact]
    public async Task MigrateAsync_EmptyDatabase_MakesTheModelsTablesColumnsAndIndexes()
    {
        using var timeout = new CancellationTokenSource(MigrationTimeout);

        var applied = await LedgerSchema.MigrateAsync(LedgerEngine.Postgres, _connectionString, null, timeout.Token);

        Assert.Equal([Baseline], applied);
        Assert.Equal(ModelSchema(), await DatabaseSchemaAsync());
    }

    [Fact]
    public async Task MigrateAsync_TwoMigratorsStartedTogether_BothSucceedAndOneApplies()
    {
        using var timeout = new CancellationTokenSource(MigrationTimeout);

        var results = await Task.WhenAll(
            Task.Run(() => LedgerSchema.MigrateAsync(LedgerEngine.Postgres, _connectionString, null, timeout.Token)),
            Task.Run(() => LedgerSchema.MigrateAsync(LedgerEngine.Postgres, _connectionString, null, timeout.Token)));

        Assert.Equal([[], [Baseline]], results.Select(r => r.ToList()).OrderBy(r => r.Count));
        Assert.Equal([Baseline], await HistoryAsync());
    }

    [Fact]
    public async Task MigrateAsync_MigratorKilledMidway_NextOneWaitsForItsLockThenMigrates()
    {
        using var timeout = new CancellationTokenSource(MigrationTimeout);
        // A migrator halfway through: it holds the migration lock and has created tables it has not committed.
        var killed = new NpgsqlConnection(_connectionString);
        await killed.OpenAsync(timeout.Token);
        await ExecuteAsync(killed, $"SELECT pg_advisory_lock({PostgresSchema.MigrationLockKey})");
        await ExecuteAsync(killed, "BEGIN");
        await ExecuteAsync(killed, "CREATE TABLE \"__EFMigrationsHistory\" (\"MigrationId\" varchar(150) PRIMARY KEY, \"ProductVersion\" varchar(32) NOT NULL)");
        await ExecuteAsync(killed, "CREATE TABLE accounts (id bigint PRIMARY KEY)");
        var logger = new CollectingLogger<LedgerDatabase>();

        var next = LedgerSchema.MigrateAsync(LedgerEngine.Postgres, _connectionString, logger, timeout.Token);
        await WaitUntilWaitingForMigrationLockAsync(next, timeout.Token);
        Assert.Contains(logger.Entries, e => e.EventId.Id == 2008);
        // Its process dies: PostgreSQL ends the session, rolls its work back and releases its lock.
        await ExecuteAsync(PostgresServer.Shared.AdminConnectionString, $"SELECT pg_terminate_backend({killed.ProcessID})");

        Assert.Equal([Baseline], await next);
        Assert.Equal(ModelSchema(), await DatabaseSchemaAsync());
        await DisposeQuietlyAsync(killed);
    }

    /// <summary>
    /// Waits until a session of this database waits for an advisory lock, failing if the migration ends first: it
    /// must not run while another session holds the migration lock.
    /// </summary>
    private async Task WaitUntilWaitingForMigrationLockAsync(Task migration, CancellationToken cancellationToken)
    {
        const string Waiting =
            "SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database " +
            "WHERE l.locktype = 'advisory' AND NOT l.granted AND d.datname = current_database()";
        while (Convert.ToInt64(await ScalarAsync(_connectionString, Waiting), CultureInfo.InvariantCulture) == 0)
        {
            Assert.False(migration.IsCompleted, "migrated while another session held the migration lock");
            await Task.Delay(20, cancellationToken);
        }
    }

    /// <summary>The model's tables as PostgreSQL would describe them: columns, keys and indexes, one line each.</summary>
    private static List<string> ModelSchema()
    {
        using var context = new PostgresLedgerContext(
            new DbContextOptionsBuilder<PostgresLedgerContext>().UseNpgsql("Host=127.0.0.1;Database=model").Options);
        var lines = new List<string>();
        foreach (var table in context.Model.GetRelationalModel().Tables)
        {
            foreach (var column in table.Columns)
            {
                var identity = NpgsqlPropertyExtensions.GetValueGenerationStrategy(column.PropertyMappings[0].Property) == NpgsqlValueGenerationStrategy.IdentityByDefaultColumn;
                lines.Add(ColumnLine(table.Name, column.Name, column.StoreType, column.IsNullable,
                    Convert.ToString(column.DefaultValue, CultureInfo.InvariantCulture) ?? "", identity));
            }
            var key = table.PrimaryKey!;
            lines.Add(IndexLine(table.Name, key.Name, unique: true, primary: true, key.Columns.Select(c => c.Name), ""));
            foreach (var index in table.Indexes)
            {
                lines.Add(IndexLine(table.Name, index.Name, index.IsUnique, primary: false, index.Columns.Select(c => c.Name), index.Filter ?? ""));
            }
        }
        lines.Sort(StringComparer.Ordinal);
        return lines;
    }

    /// <summary>The database's tables (EF Core's own left out), described as <see cref="ModelSchema"/> describes the model's.</summary>
    private async Task<List<string>> DatabaseSchemaAsync()
    {
        var lines = new List<string>();
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        await using (var columns = new NpgsqlCommand(
            "SELECT table_name, column_name, data_type, is_nullable = 'YES', coalesce(column_default, ''), is_identity = 'YES' " +
            "FROM information_schema.columns WHERE table_schema = 'public' AND table_name NOT LIKE '\\_\\_EF%'", connection))
        await using (var reader = await columns.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                var defaultValue = reader.GetString(4).Split("::")[0];
                lines.Add(ColumnLine(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetBoolean(3), defaultValue, reader.GetBoolean(5)));
            }
        }
        await using (var indexes = new NpgsqlCommand(
            "SELECT t.relname, i.relname, x.indisunique, x.indisprimary, " +
            "array(SELECT a.attname::text FROM unnest(x.indkey) WITH ORDINALITY AS k(attnum, position) " +
            "JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum ORDER BY k.position), " +
            "coalesce(pg_get_expr(x.indpred, x.indrelid), '') " +
            "FROM pg_index x JOIN pg_class t ON t.oid = x.indrelid JOIN pg_class i ON i.oid = x.indexrelid " +
            "JOIN pg_namespace n ON n.oid = t.relnamespace WHERE n.nspname = 'public' AND t.relname NOT LIKE '\\_\\_EF%'", connection))
        await using (var reader = await indexes.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                lines.Add(IndexLine(reader.GetString(0), reader.GetString(1), reader.GetBoolean(2), reader.GetBoolean(3),
                    reader.GetFieldValue<string[]>(4), reader.GetString(5)));
            }
        }
        lines.Sort(StringComparer.Ordinal);
        return lines;
    }

    private static string ColumnLine(string table, string column, string type, bool nullable, string defaultValue, bool identity) =>
        $"column {table}.{column} {type}{(nullable ? " null" : " not null")}{(defaultValue.Length > 0 ? " default " + defaultValue : "")}" +
        (identity ? " identity" : "");

    // PostgreSQL prints a filter back with its own parentheses and spacing: compared without either.
    private static string IndexLine(string table, string name, bool unique, bool primary, IEnumerable<string> columns, string filter) =>
        $"{(primary ? "key" : unique ? "unique index" : "index")} {name} on {table} ({string.Join(", ", columns)})" +
        (filter.Length > 0 ? " where " + string.Concat(filter.Where(c => c is not ('(' or ')' or ' '))).ToUpperInvariant() : "");

    private async Task<List<string>> HistoryAsync()
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT \"MigrationId\" FROM \"__EFMigrationsHistory\" ORDER BY 1", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var ids = new List<string>();
        while (await reader.ReadAsync())
        {
            ids.Add(reader.GetString(0));
        }
        return ids;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await ExecuteAsync(connection, sql);
    }

    private static async Task<object?> ScalarAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }

    /// <summary>Closes a connection whose session the server has ended; closing it may report that.</summary>
    private static async Task DisposeQuietlyAsync(NpgsqlConnection connection)
    {
        try
        {
            await connection.DisposeAsync();
        }
        catch (NpgsqlException)
        {
        }
    }
}
