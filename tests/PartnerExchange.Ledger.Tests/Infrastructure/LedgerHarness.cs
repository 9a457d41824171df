using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;
using PartnerExchange.Domain.Rates;
using PartnerExchange.Ledger.Commands;
using PartnerExchange.Ledger.Reading;
using PartnerExchange.Ledger.Writing;
using MsOptions = Microsoft.Extensions.Options.Options;

namespace PartnerExchange.Ledger.Tests.Infrastructure;

/// <summary>
/// The real ledger on a fresh temporary SQLite file: the migrated database, the single writer (with a fake
/// clock and a collecting logger) and the queries, plus short ways to seed partners, rates and members.
/// </summary>
internal sealed class LedgerHarness : IAsyncDisposable
{
    public const string Air = "AIR";
    public const string Hotel = "HOTEL";
    public const string Shop = "SHOP";
    public const string TestMethod = "/test/Write";

    private int _keyCounter;
    private bool _writerDisposed;

    private LedgerHarness(LedgerOptions options, LedgerDatabase database, FakeTimeProvider clock, CollectingLogger<LedgerWriter> log)
    {
        Options = options;
        Database = database;
        Clock = clock;
        Log = log;
        Writer = new LedgerWriter(options, TestEngine.Create(database, options), clock, log);
        Queries = new LedgerQueries(database);
    }

    public LedgerOptions Options { get; }

    public LedgerDatabase Database { get; }

    public LedgerWriter Writer { get; }

    public LedgerQueries Queries { get; }

    public FakeTimeProvider Clock { get; }

    public CollectingLogger<LedgerWriter> Log { get; }

    public static async Task<LedgerHarness> StartAsync(Action<LedgerOptions>? configure = null)
    {
        var folder = Path.Combine(Path.GetTempPath(), "px-ledger-tests");
        var options = new LedgerOptions { DatabasePath = Path.Combine(folder, Guid.NewGuid().ToString("N") + ".db") };
        configure?.Invoke(options);
        var database = new LedgerDatabase(MsOptions.Create(options));
        await database.MigrateAsync(CancellationToken.None);
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero));
        return new LedgerHarness(options, database, clock, new CollectingLogger<LedgerWriter>());
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

    /// <summary>Runs one scalar SQL query on its own connection, as an outside reader would.</summary>
    public async Task<long> ScalarAsync(string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new SqliteConnection(Database.ConnectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Runs one SQL query on its own connection and reads every row.</summary>
    public async Task<List<TRow>> QueryAsync<TRow>(string sql, Func<SqliteDataReader, TRow> read)
    {
        await using var connection = new SqliteConnection(Database.ConnectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<TRow>();
        while (await reader.ReadAsync())
        {
            rows.Add(read(reader));
        }
        return rows;
    }

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
