using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace PartnerExchange.Ledger.Tests.Storage;

/// <summary>
/// A ledger file as release 1.1.0 left it, from <c>ledger-1.1.0.sql</c> (its schema and migration history, taken from
/// 1.1.0's own migrations before they were squashed), plus raw SQL helpers on a ledger file.
/// </summary>
internal static class Release110Ledger
{
    /// <summary>The fixture's path in the test output.</summary>
    public static string ScriptPath => Path.Combine(AppContext.BaseDirectory, "Storage", "ledger-1.1.0.sql");

    /// <summary>Writes a 1.1.0 ledger into <paramref name="folder"/>, then runs <paramref name="statements"/> on it.</summary>
    public static async Task<LedgerDatabase> CreateAsync(string folder, params string[] statements)
    {
        Directory.CreateDirectory(folder);
        var database = new LedgerDatabase(Options.Create(new LedgerOptions { DatabasePath = Path.Combine(folder, "exchange.db") }));
        await ExecuteAsync(database, await File.ReadAllTextAsync(ScriptPath));
        await ExecuteAsync(database, statements);
        return database;
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

    /// <summary>
    /// Every object of the file's schema (tables, indexes, triggers, views) as <c>type name on table: sql</c>, by name:
    /// what <c>sqlite3 .schema</c> shows.
    /// </summary>
    public static Task<List<string>> SchemaAsync(LedgerDatabase database) =>
        ScalarsAsync(database,
            "SELECT type || ' ' || name || ' on ' || tbl_name || ': ' || coalesce(sql, '') FROM sqlite_master ORDER BY type, name");
}
