using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;
using Npgsql;
using PartnerExchange.Domain.Rates;
using PartnerExchange.Ledger.Commands;
using PartnerExchange.Ledger.Events;
using PartnerExchange.Ledger.Settlement;
using PartnerExchange.Ledger.Tests.Expiry;
using PartnerExchange.Ledger.Tests.Infrastructure;
using PartnerExchange.Ledger.Writing;
using static PartnerExchange.Ledger.Tests.Infrastructure.LedgerHarness;

namespace PartnerExchange.Ledger.Tests.Storage;

/// <summary>
/// What the copy and backup tests copy and how they compare two ledgers: a SQLite ledger holding every kind of
/// transaction and row the model has, made through the ledger's own commands, and every table of a ledger read
/// straight from SQLite or PostgreSQL into comparable text, independently of the copy's own digests.
/// </summary>
internal static class CopySubjects
{
    public const string QuoteSecretName = "quote-signing-key";

    /// <summary>
    /// Accruals, redemptions, conversions (two currencies), reversals (one after its period closed), an adjustment,
    /// expiry with warnings, a closed period with statements and a payment, keys (one revoked), a disabled rate
    /// version, a refusal's idempotency record, pruned events and the quote-signing secret.
    /// </summary>
    public static async Task BuildEveryKindAsync(LedgerHarness ledger)
    {
        var periodStart = ledger.Now();
        await ledger.CreatePartnerWithPolicyAsync(Shop, ExpiryLedger.TwelveMonthLots);
        await ledger.CreatePartnerAsync(Air);
        await ledger.CreatePartnerAsync(Hotel, "EUR", 9_000);
        await ledger.SetRateAsync(Shop, Air, new ExchangeRateTerms(1, 1, 1, 1_000_000, 1, 0, 0, null, null));
        await ledger.SetRateAsync(Shop, Hotel, new ExchangeRateTerms(10, 8, 10, 1_000_000, 10, 0, 0, null, null));
        await ledger.AcceptedAsync(IdempotencyScope.OperatorPrincipal,
            new SetExchangeRate(Air, Shop, new ExchangeRateTerms(2, 1, 2, 1_000, 2, 0, 0, null, null), null, Enabled: false));
        await ledger.AcceptedAsync(IdempotencyScope.OperatorPrincipal,
            new CreateApiKey("key-shop", Encoding.UTF8.GetBytes("hash-of-shop-secret"), ApiKeyRole.Partner, Shop, "shop key"));
        await ledger.AcceptedAsync(IdempotencyScope.OperatorPrincipal,
            new CreateApiKey("key-ops", Encoding.UTF8.GetBytes("hash-of-ops-secret"), ApiKeyRole.Operator, null, "ops key"));
        await ledger.AcceptedAsync(IdempotencyScope.OperatorPrincipal, new RevokeApiKey("key-shop"));
        foreach (var (program, member) in new[] { (Shop, "s1"), (Shop, "s2"), (Air, "a1"), (Hotel, "h1") })
        {
            await ledger.EnrollAsync(program, member);
        }
        await ledger.AccrueAsync(Shop, "s1", 1_000);
        await ledger.AccrueAsync(Shop, "s2", 500);
        var redemption = await ledger.RedeemAsync(Shop, "s1", 100);
        await ledger.ConvertAsync(Shop, "s1", Air, "a1", 300);
        var intoHotel = await ledger.ConvertAsync(Shop, "s1", Hotel, "h1", 100);
        await ledger.ReverseAsync(Shop, redemption);
        await ledger.AcceptedAsync(IdempotencyScope.OperatorPrincipal, new AdjustBalance(Shop, "s2", 50, "goodwill"));
        Assert.True((await ledger.ResponseAsync(Shop, new Redeem(Shop, "s2", 100_000, "too much"))).IsRefusal);

        ledger.SetNow(ledger.Now().AddDays(1));
        await ledger.AcceptedAsync(IdempotencyScope.OperatorPrincipal, new ClosePeriod(periodStart, ledger.Now(), 100));
        var statement = (await ledger.QueryAsync(
            "SELECT statement_id, currency_code, amount_due_minor FROM statements WHERE amount_due_minor > 0 ORDER BY statement_id LIMIT 1",
            r => (Id: r.GetString(0), Currency: r.GetString(1), Due: r.GetInt64(2)))).Single();
        await ledger.AcceptedAsync(IdempotencyScope.OperatorPrincipal, new RecordPayment(statement.Id, statement.Currency, statement.Due, "wire 1"));
        // Owed in a later period: an open obligation after the close.
        await ledger.ReverseAsync(Shop, intoHotel);

        // Warnings first (the lots expire within 30 days), then the expiry itself.
        ledger.SetNow(periodStart.AddMonths(12).AddDays(-20));
        Assert.True((await ledger.ExpireNowAsync()).Warnings > 0);
        ledger.SetNow(periodStart.AddMonths(12).AddDays(1));
        Assert.True((await ledger.ExpireNowAsync()).ExpiredAccounts > 0);
        await ledger.AcceptedAsync(IdempotencyScope.OperatorPrincipal, new PruneEvents(periodStart.AddHours(1), 3));
        await ledger.Database.GetOrCreateSecretAsync(QuoteSecretName, 32, CancellationToken.None);
    }

    /// <summary>The user tables of a SQLite ledger (EF Core's history and SQLite's own left out), by name.</summary>
    public static async Task<List<string>> SqliteTablesAsync(string connectionString) =>
        [.. (await SqliteRowsAsync(connectionString,
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name NOT LIKE '\\_\\_EF%' ESCAPE '\\'"))
            .Select(row => row.Trim('\'')).Order(StringComparer.Ordinal)];

    public static async Task<List<string>> PostgresTablesAsync(string connectionString) =>
        [.. (await PostgresRowsAsync(connectionString,
            "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_name NOT LIKE '\\_\\_EF%'"))
            .Select(row => row.Trim('\'')).Order(StringComparer.Ordinal)];

    /// <summary>Every row of <paramref name="table"/> in SQLite as text (columns by name, integers and booleans as numbers), sorted.</summary>
    public static Task<List<string>> SqliteTableAsync(string connectionString, string table) =>
        SqliteRowsAsync(connectionString, $"SELECT * FROM \"{table}\"");

    /// <summary>Every row of <paramref name="table"/> in PostgreSQL, as <see cref="SqliteTableAsync"/> writes them.</summary>
    public static Task<List<string>> PostgresTableAsync(string connectionString, string table) =>
        PostgresRowsAsync(connectionString, $"SELECT * FROM \"{table}\"");

    public static async Task<List<string>> SqliteRowsAsync(string connectionString, string sql)
    {
        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync();
        return await ReadRowsAsync(reader);
    }

    public static async Task<List<string>> PostgresRowsAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        return await ReadRowsAsync(reader);
    }

    private static async Task<List<string>> ReadRowsAsync(System.Data.Common.DbDataReader reader)
    {
        var rows = new List<string>();
        while (await reader.ReadAsync())
        {
            var cells = Enumerable.Range(0, reader.FieldCount)
                .Select(i => (Name: reader.GetName(i), Value: Text(reader.GetValue(i))))
                .OrderBy(c => c.Name, StringComparer.Ordinal);
            rows.Add(string.Join(" ", cells.Select(c => reader.FieldCount == 1 ? c.Value : $"{c.Name}={c.Value}")));
        }
        rows.Sort(StringComparer.Ordinal);
        return rows;
    }

    private static string Text(object value) => value switch
    {
        DBNull => "NULL",
        bool b => b ? "1" : "0",
        int n => n.ToString(CultureInfo.InvariantCulture),
        long l => l.ToString(CultureInfo.InvariantCulture),
        string s => "'" + s + "'",
        byte[] bytes => "x" + Convert.ToHexStringLower(bytes),
        _ => throw new InvalidOperationException($"A {value.GetType().Name} in a ledger table."),
    };
}
