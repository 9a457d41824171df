using System.Data;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using PartnerExchange.Domain;
using PartnerExchange.Domain.Rates;
using PartnerExchange.Ledger.Commands;
using PartnerExchange.Ledger.Engines.Postgres;
using PartnerExchange.Ledger.Reading;
using PartnerExchange.Ledger.Tests.Infrastructure;
using PartnerExchange.Ledger.Writing;
using static PartnerExchange.Ledger.Tests.Infrastructure.LedgerHarness;

namespace PartnerExchange.Ledger.Tests.Storage;

/// <summary>
/// Two exchange servers on one PostgreSQL ledger: two writers, each on its own engine and data source (its own
/// sessions), writing at once. Sequences stay gap-free and in commit order, a key sent to both has one effect, and a
/// member spending through both never overdraws; the invariant checker finds nothing after each.
/// </summary>
[Trait("Category", "Postgres")]
public sealed class PostgresWriterTests : IAsyncLifetime
{
    private const int RequestsPerServer = 150;

    /// <summary>The application name of the servers' sessions, before the server's number.</summary>
    private const string ServerSessions = "px-server-";

    // Small groups: many commits of each server, interleaved with the other's.
    private readonly LedgerOptions _options = new() { MaxGroupSize = 2 };
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero));
    private readonly CollectingLogger<LedgerWriter> _log = new();
    private readonly List<NpgsqlDataSource> _dataSources = [];
    private readonly List<LedgerWriter> _servers = [];
    private TestPostgresDatabase? _database;

    private TestPostgresDatabase Database => _database ?? throw new InvalidOperationException("The database starts in InitializeAsync.");

    public async Task InitializeAsync()
    {
        _database = await TestPostgresDatabase.CreateAsync();
        for (var i = 0; i < 2; i++)
        {
            var dataSource = NpgsqlDataSource.Create(
                new NpgsqlConnectionStringBuilder(Database.ConnectionString) { ApplicationName = ServerSessions + i }.ConnectionString);
            _dataSources.Add(dataSource);
            _servers.Add(new LedgerWriter(_options, new PostgresLedgerEngine(dataSource, _options), _clock, _log));
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var server in _servers)
        {
            await server.DisposeAsync();
        }
        foreach (var dataSource in _dataSources)
        {
            await dataSource.DisposeAsync();
        }
        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }

    [Fact]
    public async Task TwoServersWritingAtOnce_NumberTransactionsGapFreeInCommitOrder()
    {
        await SeedAsync(memberPoints: 0);
        using var stop = new CancellationTokenSource();
        var watcher = WatchForGapsAsync(stop.Token);

        var writes = _servers.SelectMany((server, s) => Enumerable.Range(0, RequestsPerServer).Select(i =>
            Submit(server, Scope(Shop, $"accrue-{s}-{i}"), Accrual($"m{i % 4}", 1 + i)))).ToList();
        var outcomes = await Task.WhenAll(writes);
        await stop.CancelAsync();
        var gapsSeen = await watcher;

        Assert.All(outcomes, o => Assert.False(o.Value.Response.IsRefusal, Responses.Text(o.Value.Response)));
        Assert.Empty(gapsSeen);
        var committed = await QueryAsync("SELECT sequence, xmin::text::bigint FROM transactions ORDER BY sequence", r => (r.GetInt64(0), r.GetInt64(1)));
        Assert.Equal(Enumerable.Range(1, committed.Count).Select(i => (long)i), committed.Select(t => t.Item1));
        // Every group writes under a transaction id taken after the previous group committed: ordered by sequence, the
        // transactions that wrote them must be in commit order too.
        Assert.Equal(committed.Select(t => t.Item2).Order(), committed.Select(t => t.Item2));
        // The outbox's cursors follow the same order.
        var eventSequences = await QueryAsync(
            "SELECT t.sequence FROM events e JOIN transactions t ON t.transaction_id = e.transaction_id ORDER BY e.cursor", r => r.GetInt64(0));
        Assert.Equal(eventSequences.Order(), eventSequences);
        await AssertVerifiedAsync();
    }

    [Fact]
    public async Task SameKeySentToBothServersAtOnce_HasOneEffectAndOneAnswer()
    {
        await SeedAsync(memberPoints: 0);

        var pairs = Enumerable.Range(0, RequestsPerServer).Select(i =>
        {
            var scope = Scope(Shop, $"twice-{i}");
            return _servers.Select(server => Submit(server, scope, Accrual("m0", 1))).ToArray();
        }).ToList();
        var answers = await Task.WhenAll(pairs.Select(pair => Task.WhenAll(pair)));

        foreach (var pair in answers)
        {
            Assert.All(pair, o => Assert.True(o.IsSuccess, $"{o}"));
            Assert.Equal(Responses.Text(pair[0].Value.Response), Responses.Text(pair[1].Value.Response));
            Assert.Single(pair, o => !o.Value.Replayed);
        }
        Assert.Equal(RequestsPerServer, await ScalarAsync("SELECT COUNT(*) FROM transactions WHERE idempotency_key LIKE 'twice-%'"));
        Assert.Equal(RequestsPerServer, await ScalarAsync("SELECT balance_points FROM accounts WHERE member_number = 'm0'"));
        await AssertVerifiedAsync();
    }

    [Fact]
    public async Task OneMemberSpendingThroughBothServersAtOnce_NeverOverdraws()
    {
        const long opening = 1_000;
        const long spend = 20;
        await SeedAsync(memberPoints: opening);

        // Conversions and redemptions of m0's points through both servers, together asking for far more than it holds.
        var writes = _servers.SelectMany((server, s) => Enumerable.Range(0, RequestsPerServer).Select(i => i % 2 == 0
            ? Submit(server, Scope(Shop, $"convert-{s}-{i}"), new ConvertPoints(Shop, "m0", Air, "a0", spend, null, "convert"))
            : Submit(server, Scope(Shop, $"redeem-{s}-{i}"), new Redeem(Shop, "m0", spend, "redeem")))).ToList();
        var outcomes = await Task.WhenAll(writes);

        var accepted = outcomes.Count(o => !o.Value.Response.IsRefusal);
        Assert.Equal(opening / spend, accepted);
        Assert.All(outcomes.Where(o => o.Value.Response.IsRefusal), o => Assert.Equal(ErrorReason.InsufficientPoints, Responses.ReasonOf(o.Value.Response)));
        Assert.Equal(0, await ScalarAsync("SELECT balance_points FROM accounts WHERE member_number = 'm0'"));
        await AssertVerifiedAsync();
    }

    [Fact]
    public async Task WriterSessionCutByTheServer_FailsTheGroupInFlightThenWritesOnANewSession()
    {
        await SeedAsync(memberPoints: 0);
        var server = _servers[0];

        // As when PostgreSQL restarts or an operator ends the session: the writer finds out at its next statement.
        Assert.True(await ScalarAsync(
            $"SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() AND application_name = '{ServerSessions}0'") > 0);
        var cut = await Record.ExceptionAsync(() => Submit(server, Scope(Shop, "after-cut"), Accrual("m0", 5)));
        var retried = await Submit(server, Scope(Shop, "after-cut"), Accrual("m0", 5));

        // Refused as unavailable (the exchange answers UNAVAILABLE with retry info), a warning rather than an error.
        Assert.IsAssignableFrom<NpgsqlException>(Assert.IsType<LedgerUnavailableException>(cut).InnerException);
        Assert.Empty(_log.TakeErrors());
        Assert.False(retried.Value.Replayed);
        Assert.False(retried.Value.Response.IsRefusal, Responses.Text(retried.Value.Response));
        Assert.Equal(5, await ScalarAsync("SELECT balance_points FROM accounts WHERE member_number = 'm0'"));
        await AssertVerifiedAsync();
    }

    [Fact]
    public async Task InvariantChecker_OnPostgreSql_ReportsABalanceItsPostingsDoNotExplain()
    {
        await SeedAsync(memberPoints: 100);

        await ScalarAsync("UPDATE accounts SET balance_points = balance_points + 1 WHERE member_number = 'm0' RETURNING 0");

        await using var connection = await Database.DataSource.OpenConnectionAsync();
        await using var snapshot = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead);
        var verification = await LedgerInvariants.VerifyAsync(snapshot, default);
        Assert.Equal(["account_balances", "lots_match_balances"], verification.Findings.Select(f => f.Check).Order());
    }

    /// <summary>SHOP with members m0–m3 (m0 holding <paramref name="memberPoints"/>), AIR with a0, and a 1:1 rate SHOP → AIR; through server 0.</summary>
    private async Task SeedAsync(long memberPoints)
    {
        var server = _servers[0];
        foreach (var program in new[] { Shop, Air })
        {
            await AcceptedAsync(server, IdempotencyScope.OperatorPrincipal,
                new CreatePartner(program, program + " Inc.", program + " Rewards", PartnerKind.Other, "USD", 12_500, null));
        }
        await AcceptedAsync(server, IdempotencyScope.OperatorPrincipal,
            new SetExchangeRate(Shop, Air, new ExchangeRateTerms(1, 1, 1, 1_000_000, 1, 0, 0, null, null), null, true));
        for (var m = 0; m < 4; m++)
        {
            await AcceptedAsync(server, Shop, new EnrollMember(Shop, $"m{m}"));
        }
        await AcceptedAsync(server, Air, new EnrollMember(Air, "a0"));
        if (memberPoints > 0)
        {
            await AcceptedAsync(server, Shop, Accrual("m0", memberPoints));
        }
    }

    private Accrue Accrual(string member, long points) => new(Shop, member, points, null, null, 1, "accrual", _options.MaxPointsPerTransaction);

    private static Task<Outcome<WriteReceipt>> Submit<T>(LedgerWriter server, IdempotencyScope scope, LedgerCommand<T> command) =>
        server.WriteAsync(scope, command, Responses.Encode, CancellationToken.None);

    private static async Task AcceptedAsync<T>(LedgerWriter server, string principal, LedgerCommand<T> command)
    {
        var outcome = await Submit(server, Scope(principal, Guid.NewGuid().ToString("N")), command);
        Assert.True(outcome.IsSuccess && !outcome.Value.Response.IsRefusal, $"{command} was refused: {outcome}");
    }

    /// <summary>
    /// Reads the transactions over and over until stopped: every time, their count must equal the highest sequence (a
    /// sequence committed before a lower one would show a gap). Returns what it saw when it was not so.
    /// </summary>
    private async Task<List<string>> WatchForGapsAsync(CancellationToken stop)
    {
        var gaps = new List<string>();
        await using var connection = await Database.DataSource.OpenConnectionAsync(CancellationToken.None);
        await using var command = new NpgsqlCommand("SELECT COUNT(*), COALESCE(MAX(sequence), 0) FROM transactions", connection);
        while (!stop.IsCancellationRequested)
        {
            await using var reader = await command.ExecuteReaderAsync(CancellationToken.None);
            await reader.ReadAsync(CancellationToken.None);
            var (count, highest) = (reader.GetInt64(0), reader.GetInt64(1));
            if (count != highest)
            {
                gaps.Add($"{count} transactions up to sequence {highest}");
            }
        }
        return gaps;
    }

    private async Task AssertVerifiedAsync()
    {
        await using var connection = await Database.DataSource.OpenConnectionAsync();
        await using var snapshot = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead);
        var verification = await LedgerInvariants.VerifyAsync(snapshot, default);
        Assert.True(verification.Ok, string.Join('\n', verification.Findings));
        Assert.Empty(_log.UnexpectedErrors());
    }

    private async Task<long> ScalarAsync(string sql)
    {
        await using var connection = await Database.DataSource.OpenConnectionAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private async Task<List<TRow>> QueryAsync<TRow>(string sql, Func<NpgsqlDataReader, TRow> read)
    {
        await using var connection = await Database.DataSource.OpenConnectionAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<TRow>();
        while (await reader.ReadAsync())
        {
            rows.Add(read(reader));
        }
        return rows;
    }
}
