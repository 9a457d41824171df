using System.Data;
using System.Data.Common;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using PartnerExchange.Domain.Ledger;
using PartnerExchange.Domain.Rates;
using PartnerExchange.Ledger.Commands;
using PartnerExchange.Ledger.Engines;
using PartnerExchange.Ledger.Engines.Postgres;
using PartnerExchange.Ledger.Engines.Sqlite;
using PartnerExchange.Ledger.Reading;
using PartnerExchange.Ledger.Writing;
using MsOptions = Microsoft.Extensions.Options.Options;

namespace PartnerExchange.Ledger.Tests.Infrastructure;

/// <summary>
/// The real ledger on a fresh database of the engine under test (<see cref="TestEngine"/>): a temporary SQLite file,
/// or a PostgreSQL database of the test run's cluster. It holds the migrated database, the single writer (with a fake
/// clock and a collecting logger) and the queries, plus short ways to seed partners, rates and members, and reads
/// through portable ADO.NET (<see cref="QueryAsync{TRow}"/>) that go to whichever database the writer writes.
/// </summary>
internal sealed partial class LedgerHarness : IAsyncDisposable
{
    public const string Air = "AIR";
    public const string Hotel = "HOTEL";
    public const string Shop = "SHOP";
    public const string TestMethod = "/test/Write";

    private int _keyCounter;
    private bool _writerDisposed;

    private LedgerHarness(
        LedgerOptions options, LedgerDatabase database, TestPostgresDatabase? postgres, FakeTimeProvider clock, CollectingLogger<LedgerWriter> log)
    {
        Options = options;
        Database = database;
        Postgres = postgres;
        Clock = clock;
        Log = log;
        ILedgerEngine engine = postgres is null ? new SqliteLedgerEngine(database, options) : new PostgresLedgerEngine(postgres.DataSource, options);
        Writer = new LedgerWriter(options, engine, clock, log);
        Queries = new LedgerQueries(database);
    }

    public LedgerOptions Options { get; }

    /// <summary>The SQLite ledger (on PostgreSQL a handle on a file that is never created: its readers fail loudly).</summary>
    public LedgerDatabase Database { get; }

    /// <summary>The PostgreSQL database the writer writes, when the engine under test is PostgreSQL.</summary>
    public TestPostgresDatabase? Postgres { get; }

    public LedgerWriter Writer { get; }

    public LedgerQueries Queries { get; }

    public FakeTimeProvider Clock { get; }

    public CollectingLogger<LedgerWriter> Log { get; }

    public static async Task<LedgerHarness> StartAsync(Action<LedgerOptions>? configure = null)
    {
        var folder = Path.Combine(Path.GetTempPath(), "px-ledger-tests");
        var options = new LedgerOptions { DatabasePath = Path.Combine(folder, Guid.NewGuid().ToString("N") + ".db") };
        configure?.Invoke(options);
        TestPostgresDatabase? postgres = null;
        if (TestEngine.IsPostgres)
        {
            // Readers, queries and forecasts read the same database the writer writes.
            postgres = await TestPostgresDatabase.CreateAsync();
            options.Postgres = postgres.ConnectionString;
        }
        var database = new LedgerDatabase(MsOptions.Create(options));
        if (postgres is null)
        {
            await database.MigrateAsync(CancellationToken.None);
        }
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero));
        return new LedgerHarness(options, database, postgres, clock, new CollectingLogger<LedgerWriter>());
    }

    /// <summary>A second, independent handle on the same file, as a restarted process would open it.</summary>
    public LedgerDatabase OpenSameFile() => new(MsOptions.Create(Options));

    public string NextKey(string prefix = "key") => $"{prefix}-{Interlocked.Increment(ref _keyCounter)}";

    public static IdempotencyScope Scope(string principal, string key, string method = TestMethod, string? fingerprint = null) =>
        new(principal, principal.StartsWith('@') ? null : principal, "key-id", key, method,
            Encoding.UTF8.GetBytes(fingerprint ?? "fingerprint-of-" + key));

    /// <summary>
    /// Queues the command. Not async on purpose: the request is in the writer's queue when this returns, so
    /// calls are queued in call order and a full queue throws here.
    /// </summary>
    public Task<Domain.Outcome<WriteReceipt>> Submit<T>(IdempotencyScope scope, LedgerCommand<T> command, CancellationToken cancellationToken = default) =>
        Writer.WriteAsync(scope, command, Responses.Encode, cancellationToken);

    public Task<Domain.Outcome<WriteReceipt>> Submit<T>(string principal, LedgerCommand<T> command) =>
        Submit(Scope(principal, NextKey()), command);

    /// <summary>Queues a request that blocks the writer at <paramref name="gate"/>.</summary>
    public Task<Domain.Outcome<WriteReceipt>> Hold(WriterGate gate) => Submit("@test", new HoldWriter(gate));

    /// <summary>Submits and waits, failing the test unless the command was accepted and executed.</summary>
    public async Task<StoredResponse> AcceptedAsync<T>(string principal, LedgerCommand<T> command)
    {
        var outcome = await Submit(principal, command);
        Assert.True(outcome.IsSuccess, $"{command} was refused by the writer: {outcome}");
        var response = outcome.Value.Response;
        Assert.False(response.IsRefusal, $"{command} was refused: {Responses.Text(response)}");
        Assert.False(outcome.Value.Replayed);
        return response;
    }

    /// <summary>Submits and waits, returning the stored response whatever it is.</summary>
    public async Task<StoredResponse> ResponseAsync<T>(string principal, LedgerCommand<T> command)
    {
        var outcome = await Submit(principal, command);
        Assert.True(outcome.IsSuccess, $"{command} was refused by the writer: {outcome}");
        return outcome.Value.Response;
    }

    public Task<StoredResponse> CreatePartnerAsync(string programCode, string currency = "USD", long pointPriceMicros = 12_500) =>
        AcceptedAsync(IdempotencyScope.OperatorPrincipal,
            new CreatePartner(programCode, programCode + " Inc.", programCode + " Rewards", PartnerKind.Other, currency, pointPriceMicros, null));

    public Task<StoredResponse> SetRateAsync(string from, string to, ExchangeRateTerms terms)
    {
        Assert.Empty(ExchangeRateTerms.Validate(terms));
        return AcceptedAsync(IdempotencyScope.OperatorPrincipal, new SetExchangeRate(from, to, terms, null, true));
    }

    public Task<StoredResponse> EnrollAsync(string program, string member) =>
        AcceptedAsync(program, new EnrollMember(program, member));

    public Accrue AccrueCommand(string program, string member, long points, string reference = "accrual") =>
        new(program, member, points, null, null, 1, reference, Options.MaxPointsPerTransaction);

    public Task<StoredResponse> AccrueAsync(string program, string member, long points, string reference = "accrual") =>
        AcceptedAsync(program, AccrueCommand(program, member, points, reference));

    /// <summary>
    /// The smallest conversion network: SHOP and AIR, a plain 1:1 rate from SHOP to AIR, member s1 of SHOP holding
    /// <paramref name="shopMemberPoints"/> and member a1 of AIR.
    /// </summary>
    public async Task CreateShopToAirAsync(long shopMemberPoints)
    {
        await CreatePartnerAsync(Shop);
        await CreatePartnerAsync(Air);
        await SetRateAsync(Shop, Air, new ExchangeRateTerms(1, 1, 1, 1_000_000, 1, 0, 0, null, null));
        await EnrollAsync(Shop, "s1");
        await EnrollAsync(Air, "a1");
        await AccrueAsync(Shop, "s1", shopMemberPoints);
    }

    /// <summary>
    /// Runs one scalar SQL query on its own connection, as an outside reader would. Parameters are named
    /// <c>$name</c>, as SQLite writes them; on PostgreSQL they go as <c>@name</c>.
    /// </summary>
    public async Task<long> ScalarAsync(string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = await OpenReadConnectionAsync();
        await using var command = Command(connection, sql, parameters);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Runs one SQL query on its own connection and reads every row (parameters as in <see cref="ScalarAsync"/>).</summary>
    public async Task<List<TRow>> QueryAsync<TRow>(string sql, Func<DbDataReader, TRow> read, params (string Name, object Value)[] parameters)
    {
        await using var connection = await OpenReadConnectionAsync();
        await using var command = Command(connection, sql, parameters);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<TRow>();
        while (await reader.ReadAsync())
        {
            rows.Add(read(reader));
        }
        return rows;
    }

    /// <summary>
    /// Runs every check of the one invariant checker (<see cref="LedgerInvariants"/>) on one snapshot of the database
    /// the writer writes: SQLite's through <see cref="LedgerAudit"/>, PostgreSQL's in a repeatable-read transaction.
    /// </summary>
    public async Task<LedgerVerification> VerifyAsync()
    {
        if (Postgres is null)
        {
            return await new LedgerAudit(Database).VerifyAsync(default);
        }
        await using var connection = await OpenReadConnectionAsync();
        await using var snapshot = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead);
        return await LedgerInvariants.VerifyAsync(snapshot, default);
    }

    /// <summary>Fails the test unless every invariant holds.</summary>
    public async Task AssertVerifiedAsync()
    {
        var verification = await VerifyAsync();
        Assert.True(verification.Ok, string.Join('\n', verification.Findings));
    }

    /// <summary>Up to <paramref name="limit"/> events of the program after a cursor, in cursor order, as the event feed reads them.</summary>
    public Task<List<EventRecord>> EventsAfterAsync(string programCode, long afterCursor, int limit = 10_000) =>
        QueryAsync(
            "SELECT cursor, program_code, kind, occurred_at_micros, member_number, points, balance_points, transaction_id, " +
            "reverses_transaction_id, counterparty_program_code, expires_at_micros, warning_days, from_program_code, to_program_code, " +
            "rate_version FROM events WHERE program_code = $program AND cursor > $after ORDER BY cursor LIMIT $limit",
            r => new EventRecord(
                r.GetInt64(0), r.GetString(1), (EventKind)r.GetInt32(2), Time.FromMicros(r.GetInt64(3)), r.GetString(4), r.GetInt64(5),
                r.GetInt64(6), StringOrNull(r, 7), StringOrNull(r, 8), StringOrNull(r, 9), r.IsDBNull(10) ? null : Time.FromMicros(r.GetInt64(10)),
                r.GetInt32(11), StringOrNull(r, 12), StringOrNull(r, 13), r.GetInt64(14)),
            ("$program", programCode), ("$after", afterCursor), ("$limit", limit));

    /// <summary>The cursor of the program's newest event, 0 when it has none (pruned events count), as the event feed reads it.</summary>
    public async Task<long> LatestCursorAsync(string programCode) =>
        Math.Max(
            await ScalarAsync("SELECT COALESCE(MAX(cursor), 0) FROM events WHERE program_code = $program", ("$program", programCode)),
            await ScalarAsync("SELECT COALESCE(MAX(pruned_through_cursor), 0) FROM event_retention WHERE program_code = $program", ("$program", programCode)));

    /// <summary>The enabled version of a direction in effect at a moment, or null, as the queries read it.</summary>
    public async Task<RateRecord?> FindActiveRateAsync(string from, string to, DateTimeOffset at) =>
        (await QueryAsync(RateRows.InEffectSql, RateRows.Read, ("@from", from), ("@to", to), ("@at", at.ToUnixMicros())))
            .SingleOrDefault() is { Enabled: true } rate ? rate : null;

    private static string? StringOrNull(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    private async Task<DbConnection> OpenReadConnectionAsync()
    {
        if (Postgres is not null)
        {
            return await Postgres.DataSource.OpenConnectionAsync();
        }
        var connection = new SqliteConnection(Database.ConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    private static DbCommand Command(DbConnection connection, string sql, (string Name, object Value)[] parameters)
    {
        var command = connection.CreateCommand();
        var postgres = connection is NpgsqlConnection;
        command.CommandText = postgres ? SqliteParameter().Replace(sql, "@$1") : sql;
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = postgres ? "@" + name.TrimStart('$', '@') : name;
            parameter.Value = value;
            command.Parameters.Add(parameter);
        }
        return command;
    }

    /// <summary>A parameter as SQLite names it, <c>$name</c> (PostgreSQL's positional <c>$1</c> starts with a digit).</summary>
    [GeneratedRegex(@"\$([A-Za-z_][A-Za-z0-9_]*)")]
    private static partial Regex SqliteParameter();

    public Task<List<long>> SequencesAsync() =>
        QueryAsync("SELECT sequence FROM transactions ORDER BY sequence", r => r.GetInt64(0));

    public async Task DisposeWriterAsync()
    {
        if (!_writerDisposed)
        {
            _writerDisposed = true;
            await Writer.DisposeAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await DisposeWriterAsync();
        if (Postgres is not null)
        {
            await Postgres.DisposeAsync();
            return;
        }
        using (var connection = new SqliteConnection(Database.ConnectionString))
        {
            SqliteConnection.ClearPool(connection);
        }
        foreach (var suffix in new[] { "", "-wal", "-shm" })
        {
            File.Delete(Options.DatabasePath + suffix);
        }
    }
}
