using Microsoft.Data.Sqlite;

namespace PartnerExchange.Ledger.Tests.Infrastructure;

/// <summary>How SQLite plans a statement on a ledger: the detail text of each EXPLAIN QUERY PLAN step.</summary>
internal static class QueryPlans
{
    public static async Task<List<string>> StepsAsync(string connectionString, string sql)
    {
        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "EXPLAIN QUERY PLAN " + sql;
        var steps = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            steps.Add(reader.GetString(3));
        }
        return steps;
    }
}
