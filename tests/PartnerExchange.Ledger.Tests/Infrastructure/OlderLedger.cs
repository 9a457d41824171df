using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.Options;

namespace PartnerExchange.Ledger.Tests.Infrastructure;

/// <summary>
/// A ledger file as an earlier release left it: migrated only up to <c>lastMigration</c> and holding rows
/// written under that schema, for tests of the migrations that come after.
/// </summary>
internal static class OlderLedger
{
    public static async Task<LedgerDatabase> CreateAsync(string folder, string lastMigration, params string[] statements)
    {
        Directory.CreateDirectory(folder);
        var database = new LedgerDatabase(Options.Create(new LedgerOptions { DatabasePath = Path.Combine(folder, "exchange.db") }));
        await MigrateToAsync(database, lastMigration);
        await ExecuteAsync(database, statements);
        return database;
    }

    /// <summary>Applies the migrations up to <paramref name="migration"/> and none after, as that release would.</summary>
    public static async Task MigrateToAsync(LedgerDatabase database, string migration)
    {
        await using var context = database.CreateContext();
        await context.GetService<IMigrator>().MigrateAsync(migration);
    }

    /// <summary>Runs raw statements on the file, as the schema of the moment stands.</summary>
    public static async Task ExecuteAsync(LedgerDatabase database, params string[] statements)
    {
        await using var connection = new SqliteConnection(database.ConnectionString);
        await connection.OpenAsync();
        foreach (var sql in statements)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            await command.ExecuteNonQueryAsync();
        }
    }

    /// <summary>The first column of every row <paramref name="sql"/> returns, as text.</summary>
    public static async Task<List<string>> ScalarsAsync(LedgerDatabase database, string sql)
    {
        await using var connection = new SqliteConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync();
        var values = new List<string>();
        while (await reader.ReadAsync())
        {
            values.Add(reader.GetString(0));
        }
        return values;
    }
}
