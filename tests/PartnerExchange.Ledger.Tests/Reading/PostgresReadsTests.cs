using System.Data.Common;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Npgsql;
using PartnerExchange.Ledger.Reading;
using PartnerExchange.Ledger.Settlement;
using PartnerExchange.Ledger.Storage;
using PartnerExchange.Ledger.Writing;
using PartnerExchange.Testing;
using MsOptions = Microsoft.Extensions.Options.Options;

namespace PartnerExchange.Ledger.Tests.Reading;

/// <summary>
/// The readers on PostgreSQL: the same rows, written by the same SQL into a migrated SQLite file and a migrated
/// PostgreSQL database (the test run's own cluster), get the same answers from LedgerQueries, EventFeed,
/// SettlementQueries, LedgerAudit and PeriodSnapshots on both. The rows are plain SQL, not the writer's, so these tests
/// need no PostgreSQL write side: SHOP and AIR, a rate SHOP → AIR in two versions, member s1 of SHOP earning 100 points
/// (sequence 1) and converting 40 of them to member a1 of AIR (sequence 2, with its obligation), three events, AIR's
/// outbox pruned through cursor 9, and a closed period holding the conversion with one statement and one payment.
/// </summary>
public sealed class PostgresReadsTests : IAsyncLifetime, IDisposable
{
    private const long T0 = 1_772_000_000_000_000;
    private static readonly byte[] Fingerprint = Encoding.UTF8.GetBytes("fingerprint-1");
    private static readonly JsonSerializerOptions Json = new() { IncludeFields = true };

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "px-ledger-tests", Guid.NewGuid().ToString("N"));
    private string _postgresConnectionString = "";
    private LedgerDatabase _sqlite = null!;
    private LedgerDatabase _postgres = null!;

    public async Task InitializeAsync()
    {
        _postgresConnectionString = await PostgresServer.Shared.CreateDatabaseAsync();
        _sqlite = new LedgerDatabase(MsOptions.Create(new LedgerOptions { DatabasePath = Path.Combine(_folder, "exchange.db") }));
        _postgres = new LedgerDatabase(MsOptions.Create(new LedgerOptions { Postgres = _postgresConnectionString }));
        foreach (var database in new[] { _sqlite, _postgres })
        {
            await database.MigrateAsync(CancellationToken.None);
            await SeedAsync(database);
        }
    }

    public async Task DisposeAsync()
    {
        Dispose();
        SqliteConnection.ClearAllPools();
        await PostgresServer.Shared.DropDatabaseAsync(_postgresConnectionString);
        Directory.Delete(_folder, recursive: true);
    }

    public void Dispose()
    {
        _sqlite?.Dispose();
        _postgres?.Dispose();
    }

    [Fact]
    public void LedgerOptions_PostgresSet_ChoosesPostgres()
    {
        Assert.Equal(LedgerEngine.Sqlite, _sqlite.Engine);
        Assert.Equal(LedgerEngine.Postgres, _postgres.Engine);
        var password = new NpgsqlConnectionStringBuilder(_postgresConnectionString).Password;
        Assert.False(string.IsNullOrEmpty(password));
        Assert.DoesNotContain(password, _postgres.Location, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HotReads_SameRows_SameAnswersOnBothEngines()
    {
        var scope = new IdempotencyScope("SHOP", "SHOP", "key-1", "idem-1", "/test/Write", Fingerprint);

        var answers = await BothAsync(async queries => new object?[]
        {
            await queries.GetPartnerAsync("SHOP", default),
            await queries.GetAccountAsync("SHOP", "s1", default),
            await queries.IsEnrolledAsync("AIR", "a1", default),
            await queries.IsEnrolledAsync("AIR", "s1", default),
            await queries.FindActiveRateAsync("SHOP", "AIR", Time.FromMicros(T0 + 5), default),
            await queries.FindRecordedResponseAsync(scope, default),
            await queries.FindApiKeyAsync("key-1", default),
        });

        Assert.Equal(answers.Sqlite, answers.Postgres);
        Assert.Contains("\"BalancePoints\":60", answers.Postgres, StringComparison.Ordinal);
        Assert.Contains("\"Version\":1", answers.Postgres, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ListReads_SameRows_SameAnswersOnBothEngines()
    {
        var answers = await BothAsync(async queries => new object?[]
        {
            await queries.ListPartnersAsync(null, 10, default),
            await queries.ListPartnersAsync("AIR", 10, default),
            await queries.ListApiKeysAsync("SHOP", null, 10, default),
            await queries.ListTransactionsAsync(new TransactionFilter("SHOP", null, [], null, null, null, 10), default),
            await queries.ListTransactionsAsync(new TransactionFilter("AIR", "a1", [Domain.Ledger.TransactionKind.Conversion], null, null, 3, 10), default),
            await queries.GetTransactionAsync("AIR", "tx-2", default),
            await queries.ListRatesAsync("SHOP", null, includeHistory: true, Time.FromMicros(T0), default),
            await queries.ListActiveRatesFromAsync("SHOP", Time.FromMicros(T0 + 20), default),
            await queries.GetRateAsync(2, default),
        });

        Assert.Equal(answers.Sqlite, answers.Postgres);
        Assert.Contains("\"TransactionId\":\"tx-2\"", answers.Postgres, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EventFeed_SameRows_SameEventsAndCursorsOnBothEngines()
    {
        async Task<string> ReadAsync(LedgerDatabase database)
        {
            var feed = new EventFeed(database, new CommitSignal());
            return JsonSerializer.Serialize(new object[]
            {
                await feed.ReadAfterAsync("SHOP", 0, 10, default),
                await feed.ReadAfterAsync("SHOP", 1, 1, default),
                await feed.LatestCursorAsync("SHOP", default),
                await feed.LatestCursorAsync("AIR", default),
                await feed.PrunedThroughAsync("AIR", default),
            }, Json);
        }

        var (sqlite, postgres) = (await ReadAsync(_sqlite), await ReadAsync(_postgres));

        Assert.Equal(sqlite, postgres);
        Assert.EndsWith(",2,9,9]", postgres, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SettlementQueries_SameRows_SameAnswersOnBothEngines()
    {
        async Task<string> ReadAsync(LedgerDatabase database)
        {
            var queries = new SettlementQueries(database);
            var statements = await queries.ListStatementsAsync("period-1", null, default);
            return JsonSerializer.Serialize(new object?[]
            {
                await queries.GetPeriodAsync("period-1", default),
                await queries.ListPeriodsAsync(null, 10, default),
                statements,
                await queries.GetStatementAsync("statement-1", default),
                await queries.ReadLinesAsync(statements![0], 0, 10, default),
                await queries.ReadObligationLinesAsync("statement-1", default),
            }, Json);
        }

        var (sqlite, postgres) = (await ReadAsync(_sqlite), await ReadAsync(_postgres));

        Assert.Equal(sqlite, postgres);
        Assert.Contains("\"SourceMemberNumber\":\"s1\",\"DestinationMemberNumber\":\"a1\"", postgres, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SnapshotReads_SameRows_SameLiabilityVerificationAndPeriodOnBothEngines()
    {
        async Task<string> ReadAsync(LedgerDatabase database)
        {
            var audit = new LedgerAudit(database);
            var period = await new PeriodSnapshots(database).ReadAsync(Time.FromMicros(T0), Time.FromMicros(T0 + 100), 0, default);
            return JsonSerializer.Serialize(new object?[]
            {
                await audit.GetLiabilityAsync("SHOP", Time.FromMicros(T0 + 100), default),
                await audit.GetLiabilityAsync("NOPE", Time.FromMicros(T0 + 100), default),
                Describe(await audit.VerifyAsync(default)),
                period.CutSequence,
                period.Obligations,
            }, Json);
        }

        var (sqlite, postgres) = (await ReadAsync(_sqlite), await ReadAsync(_postgres));

        Assert.Equal(sqlite, postgres);
        Assert.Contains("\"OutstandingPoints\":60", postgres, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenSnapshotAsync_PostgresRowCommittedAfterFirstRead_NotSeen()
    {
        await using var snapshot = await _postgres.OpenSnapshotAsync(default);
        var before = await snapshot.ScalarAsync("SELECT COUNT(*) FROM transactions", default);

        await ExecuteAsync(_postgres, InsertTransaction(3, "tx-3", 3, T0 + 30));

        Assert.Equal(before, await snapshot.ScalarAsync("SELECT COUNT(*) FROM transactions", default));
        await using var later = await _postgres.OpenSnapshotAsync(default);
        Assert.Equal(before + 1, await later.ScalarAsync("SELECT COUNT(*) FROM transactions", default));
    }

    [Fact]
    public void RentReader_PostgresWrite_IsRefused()
    {
        var reader = _postgres.RentReader();
        try
        {
            var refused = Assert.Throws<PostgresException>(() =>
                reader.Command("INSERT INTO settings (name, value) VALUES (@name, @value)", ("@name", "x"), ("@value", new byte[] { 1 })).ExecuteNonQuery());
            Assert.Equal(PostgresErrorCodes.ReadOnlySqlTransaction, refused.SqlState);
        }
        finally
        {
            _postgres.Return(reader, healthy: false);
        }
    }

    [Fact]
    public async Task GetOrCreateSecretAsync_Postgres_CreatesOnceThenReadsTheSame()
    {
        var first = await _postgres.GetOrCreateSecretAsync("test-secret", 32, default);
        var second = await _postgres.GetOrCreateSecretAsync("test-secret", 32, default);

        Assert.Equal(32, first.Length);
        Assert.Equal(first, second);
    }

    // What a verification found, in an order of its own: the checks' queries need not order their findings.
    private static object Describe(LedgerVerification verification) => new
    {
        verification.Checks,
        verification.TransactionCount,
        verification.AccountCount,
        verification.StatementCount,
        Findings = verification.Findings.OrderBy(f => f.Check, StringComparer.Ordinal).ThenBy(f => f.Detail, StringComparer.Ordinal).ToList(),
    };

    private async Task<(string Sqlite, string Postgres)> BothAsync(Func<LedgerQueries, Task<object?[]>> read) =>
        (JsonSerializer.Serialize(await read(new LedgerQueries(_sqlite)), Json),
            JsonSerializer.Serialize(await read(new LedgerQueries(_postgres)), Json));

    private static async Task SeedAsync(LedgerDatabase database)
    {
        string[] statements =
        [
            Partner("SHOP", "USD", 10_000), Partner("AIR", "EUR", 8_000),
            RateVersion(1, 1, T0), RateVersion(2, 2, T0 + 10),
            Account(1, "SHOP", 1, "s1", 60, 2), Account(2, "SHOP", 2, "", -100, 1), Account(3, "SHOP", 4, "", 40, 2),
            Account(4, "AIR", 1, "a1", 40, 2), Account(5, "AIR", 5, "", -40, 2),
            InsertTransaction(1, "tx-1", 1, T0 + 1), InsertTransaction(2, "tx-2", 3, T0 + 2),
            Posting(1, 1, 1, "SHOP", 1, "s1", 100), Posting(2, 1, 2, "SHOP", 2, "", -100),
            Posting(3, 2, 1, "SHOP", 1, "s1", -40), Posting(4, 2, 3, "SHOP", 4, "", 40),
            Posting(5, 2, 4, "AIR", 1, "a1", 40), Posting(6, 2, 5, "AIR", 5, "", -40),
            Event(1, "SHOP", 1, T0 + 1, "s1", 100, 100, "tx-1"), Event(2, "SHOP", 3, T0 + 2, "s1", -40, 60, "tx-2"),
            Event(3, "AIR", 4, T0 + 2, "a1", 40, 40, "tx-2"),
            "INSERT INTO event_retention (program_code, pruned_through_cursor, pruned_through_sequence, pruned_at_micros) VALUES ('AIR', 9, 0, 0)",
            "INSERT INTO obligations (sequence, payer_program_code, payee_program_code, destination_points, point_price_micros, currency_code, " +
            $"amount_micros, amount_minor, created_at_micros) VALUES (2, 'SHOP', 'AIR', 40, 8000, 'EUR', 320000, 32, {T0 + 2})",
            "INSERT INTO settlement_periods (period_id, start_micros, end_micros, closed_at_micros, content_hash, first_sequence, last_sequence) " +
            $"VALUES ('period-1', {T0}, {T0 + 100}, {T0 + 200}, 'hash-p', 1, 2)",
            "INSERT INTO statements (statement_id, period_id, payer_program_code, payee_program_code, currency_code, line_count, destination_points, " +
            "gross_amount_micros, gross_amount_minor, network_fee_minor, amount_due_minor, content_hash, created_at_micros) VALUES " +
            $"('statement-1', 'period-1', 'SHOP', 'AIR', 'EUR', 1, 40, 320000, 32, 0, 32, 'hash-s', {T0 + 200})",
            $"INSERT INTO payments (payment_id, statement_id, amount_minor, reference, created_at_micros) VALUES ('payment-1', 'statement-1', 30, 'wire', {T0 + 300})",
        ];
        foreach (var sql in statements)
        {
            await ExecuteAsync(database, sql);
        }
        await ExecuteAsync(database,
            "INSERT INTO api_keys (key_id, role, program_code, label, secret_hash, created_at_micros) VALUES ('key-1', 1, 'SHOP', 'shop key', @hash, 0)",
            ("@hash", new byte[] { 1, 2, 3 }));
        await ExecuteAsync(database,
            "INSERT INTO idempotency_records (principal, idempotency_key, method, request_fingerprint, is_refusal, response, created_at_micros) " +
            "VALUES ('SHOP', 'idem-1', '/test/Write', @fingerprint, FALSE, @response, 0)",
            ("@fingerprint", Fingerprint), ("@response", new byte[] { 9, 8, 7 }));
    }

    private static string Partner(string code, string currency, long priceMicros) =>
        "INSERT INTO partners (program_code, display_name, program_name, kind, status, settlement_currency, point_price_micros, earn_currency, " +
        "earn_points, earn_per_amount_minor, created_at_micros, updated_at_micros, writes_per_second, writes_burst, expiry_policy, " +
        $"expiry_months, expiry_policy_since_micros) VALUES ('{code}', '{code} Inc.', '{code} Rewards', 3, 1, '{currency}', {priceMicros}, " +
        $"'{currency}', 1, 100, {T0}, {T0}, 50, 100, 0, 0, {T0})";

    private static string RateVersion(long id, long version, long effectiveMicros) =>
        "INSERT INTO exchange_rates (id, from_program_code, to_program_code, version, from_points, to_points, min_source_points, " +
        "max_source_points, increment_points, member_fee_points, bonus_basis_points, bonus_starts_at_micros, bonus_ends_at_micros, " +
        $"effective_at_micros, enabled, created_at_micros) VALUES ({id}, 'SHOP', 'AIR', {version}, 1, {version}, 1, 1000, 1, 0, 0, NULL, NULL, " +
        $"{effectiveMicros}, TRUE, {effectiveMicros})";

    private static string Account(long id, string program, int kind, string member, long balance, long lastSequence) =>
        "INSERT INTO accounts (id, program_code, kind, member_number, balance_points, created_at_micros, last_sequence, last_activity_micros, " +
        "accrual_credit_points, accrual_debit_points, redemption_credit_points, redemption_debit_points, conversion_credit_points, " +
        "conversion_debit_points, reversal_credit_points, reversal_debit_points, expiry_credit_points, expiry_debit_points, " +
        $"adjustment_credit_points, adjustment_debit_points) VALUES ({id}, '{program}', {kind}, '{member}', {balance}, {T0}, {lastSequence}, " +
        $"{T0}, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)";

    private static string InsertTransaction(long sequence, string id, int kind, long atMicros) =>
        "INSERT INTO transactions (sequence, transaction_id, kind, requester_program_code, api_key_id, idempotency_key, request_fingerprint, " +
        "created_at_micros, reference, accrual_reason, reverses_sequence, reverses_transaction_id, rate_id, rate_version, " +
        $"counterparty_program_code, fee_points) VALUES ({sequence}, '{id}', {kind}, 'SHOP', 'key-1', 'idem-{sequence}', '', {atMicros}, " +
        $"'ref-{sequence}', 1, NULL, NULL, {(kind == 3 ? "1" : "NULL")}, {(kind == 3 ? "1" : "NULL")}, {(kind == 3 ? "'AIR'" : "NULL")}, 0)";

    private static string Posting(long id, long sequence, long accountId, string program, int accountKind, string member, long points) =>
        "INSERT INTO postings (id, sequence, account_id, program_code, account_kind, member_number, amount_points) VALUES " +
        $"({id}, {sequence}, {accountId}, '{program}', {accountKind}, '{member}', {points})";

    private static string Event(long cursor, string program, int kind, long atMicros, string member, long points, long balance, string transactionId) =>
        "INSERT INTO events (cursor, program_code, kind, occurred_at_micros, member_number, points, balance_points, transaction_id, " +
        "reverses_transaction_id, counterparty_program_code, expires_at_micros, warning_days, from_program_code, to_program_code, rate_version) " +
        $"VALUES ({cursor}, '{program}', {kind}, {atMicros}, '{member}', {points}, {balance}, '{transactionId}', NULL, NULL, NULL, 0, NULL, NULL, 0)";

    private static async Task ExecuteAsync(LedgerDatabase database, string sql, params (string Name, object? Value)[] parameters)
    {
        await using DbConnection connection = database.Engine == LedgerEngine.Postgres
            ? new NpgsqlConnection(database.ConnectionString)
            : new SqliteConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var command = LedgerDatabase.Command(connection, null, sql, parameters);
        await command.ExecuteNonQueryAsync();
    }
}
