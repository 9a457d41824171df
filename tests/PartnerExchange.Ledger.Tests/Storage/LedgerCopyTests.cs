using System.Globalization;
using Npgsql;
using PartnerExchange.Domain.Ledger;
using PartnerExchange.Ledger.Events;
using PartnerExchange.Ledger.Reading;
using PartnerExchange.Ledger.Storage;
using PartnerExchange.Ledger.Storage.Copy;
using PartnerExchange.Ledger.Tests.Expiry;
using PartnerExchange.Ledger.Tests.Infrastructure;
using PartnerExchange.Ledger.Writing;
using PartnerExchange.Testing;

namespace PartnerExchange.Ledger.Tests.Storage;

/// <summary>A ledger of every kind of transaction, stopped and copied once into a fresh PostgreSQL database.</summary>
public sealed class CopiedLedger : IAsyncLifetime
{
    internal LedgerHarness Source { get; private set; } = null!;

    public string Target { get; private set; } = "";

    public LedgerCopyReport Report { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Source = await LedgerHarness.StartAsync();
        await CopySubjects.BuildEveryKindAsync(Source);
        // The copy is of a stopped ledger.
        await Source.DisposeWriterAsync();
        Target = await PostgresServer.Shared.CreateDatabaseAsync();
        Report = await LedgerCopy.CopyAsync(Source.Options.DatabasePath, Target, null, CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await PostgresServer.Shared.DropDatabaseAsync(Target);
        await Source.DisposeAsync();
    }
}

/// <summary>
/// <c>ledger copy</c> from SQLite into PostgreSQL on real engines: every table row for row with its ids and sequence
/// numbers, a clean verification, identical statement hashes and idempotency records, id generators past the copied
/// ids; and the refusals (a target holding rows, an old schema, a copy that does not verify) that change nothing.
/// </summary>
public sealed class LedgerCopyTests(CopiedLedger copied) : IClassFixture<CopiedLedger>
{
    private string SourceConnection => copied.Source.Database.ConnectionString;

    [Fact]
    public async Task CopyAsync_LedgerOfEveryKind_CommitsAVerifiedCopyOfEveryTable()
    {
        Assert.True(copied.Report.Committed, string.Join('\n', copied.Report.Tables.Where(t => !t.Matches)));
        Assert.True(copied.Report.Ok);
        var sqliteTables = await CopySubjects.SqliteTablesAsync(SourceConnection);
        Assert.Equal(sqliteTables, copied.Report.Tables.Select(t => t.Name));
        Assert.Empty(sqliteTables.Except(await CopySubjects.PostgresTablesAsync(copied.Target)));
        // The ledger holds every kind of transaction and a row in every table, so the copy of each was exercised.
        Assert.Equal(Enum.GetValues<TransactionKind>().Select(k => ((int)k).ToString(CultureInfo.InvariantCulture)).Order(StringComparer.Ordinal),
            await CopySubjects.SqliteRowsAsync(SourceConnection, "SELECT DISTINCT kind FROM transactions"));
        Assert.All(copied.Report.Tables, t => Assert.True(t.SourceRows > 0, $"The subject ledger has no {t.Name}."));
    }

    [Fact]
    public async Task CopyAsync_LedgerOfEveryKind_EveryTableHoldsTheSameRows()
    {
        foreach (var table in await CopySubjects.SqliteTablesAsync(SourceConnection))
        {
            var source = await CopySubjects.SqliteTableAsync(SourceConnection, table);
            var target = await CopySubjects.PostgresTableAsync(copied.Target, table);
            Assert.True(source.SequenceEqual(target, StringComparer.Ordinal),
                $"{table} differs:\n  source {string.Join("\n  source ", source.Except(target))}\n  target {string.Join("\n  target ", target.Except(source))}");
        }
    }

    [Fact]
    public async Task CopyAsync_LedgerOfEveryKind_TargetVerifiesClean()
    {
        await using var connection = new NpgsqlConnection(copied.Target);
        await connection.OpenAsync();
        await using var snapshot = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead);

        var verification = await LedgerInvariants.VerifyAsync(snapshot, CancellationToken.None);

        Assert.True(verification.Ok, string.Join('\n', verification.Findings));
        Assert.Equal(copied.Report.SourceVerification.TransactionCount, verification.TransactionCount);
        Assert.True(verification.StatementCount > 0);
    }

    [Fact]
    public async Task CopyAsync_LedgerOfEveryKind_StatementAndPeriodHashesIdentical()
    {
        const string Hashes = "SELECT 'statement ' || statement_id || ' ' || content_hash FROM statements " +
            "UNION ALL SELECT 'period ' || period_id || ' ' || content_hash FROM settlement_periods";

        var source = await CopySubjects.SqliteRowsAsync(SourceConnection, Hashes);

        Assert.NotEmpty(source);
        Assert.Equal(source, await CopySubjects.PostgresRowsAsync(copied.Target, Hashes));
    }

    [Fact]
    public async Task CopyAsync_LedgerOfEveryKind_IdempotencyRecordsKeepTheirResponseBytes()
    {
        const string Records = "SELECT principal, idempotency_key, method, request_fingerprint, is_refusal, response FROM idempotency_records";

        var source = await CopySubjects.SqliteRowsAsync(SourceConnection, Records);

        Assert.Contains(source, r => r.Contains("is_refusal=1", StringComparison.Ordinal));
        Assert.Equal(source, await CopySubjects.PostgresRowsAsync(copied.Target, Records));
    }

    [Fact]
    public async Task CopyAsync_LedgerOfEveryKind_IdGeneratorsContinuePastTheCopiedIds()
    {
        foreach (var (table, column) in new[] { ("accounts", "id"), ("postings", "id"), ("point_lots", "id"), ("lot_movements", "id"),
                     ("exchange_rates", "id"), ("events", "cursor") })
        {
            var issued = Math.Max(
                long.Parse((await CopySubjects.SqliteRowsAsync(SourceConnection, $"SELECT MAX({column}) FROM {table}")).Single(), CultureInfo.InvariantCulture),
                long.Parse((await CopySubjects.SqliteRowsAsync(SourceConnection,
                    $"SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = '{table}'), 0)")).Single(), CultureInfo.InvariantCulture));

            var next = (await CopySubjects.PostgresRowsAsync(copied.Target, $"SELECT nextval(pg_get_serial_sequence('{table}', '{column}'))")).Single();

            Assert.Equal((issued + 1).ToString(CultureInfo.InvariantCulture), next);
        }
    }

    [Fact]
    public async Task CopyAsync_EveryEventPruned_NextCursorFollowsTheLastOneIssued()
    {
        await using var ledger = await LedgerHarness.StartAsync();
        await ledger.CreateShopToAirAsync(100);
        ledger.SetNow(ledger.Now().AddDays(1));
        await ledger.AcceptedAsync(IdempotencyScope.OperatorPrincipal, new PruneEvents(ledger.Now(), 1_000));
        var lastIssued = await ledger.ScalarAsync("SELECT seq FROM sqlite_sequence WHERE name = 'events'");
        Assert.Equal(0, await ledger.ScalarAsync("SELECT COUNT(*) FROM events"));
        await ledger.DisposeWriterAsync();
        var target = await PostgresServer.Shared.CreateDatabaseAsync();
        try
        {
            Assert.True((await LedgerCopy.CopyAsync(ledger.Options.DatabasePath, target, null, CancellationToken.None)).Committed);

            var next = (await CopySubjects.PostgresRowsAsync(target, "SELECT nextval(pg_get_serial_sequence('events', 'cursor'))")).Single();

            Assert.Equal((lastIssued + 1).ToString(CultureInfo.InvariantCulture), next);
        }
        finally
        {
            await PostgresServer.Shared.DropDatabaseAsync(target);
        }
    }

    [Fact]
    public async Task Rejects_TargetHoldingLedgerRows_ChangingNothing()
    {
        await using var other = await LedgerHarness.StartAsync();
        await other.CreateShopToAirAsync(100);
        await other.DisposeWriterAsync();
        var before = await AllRowsAsync(copied.Target);

        var refusal = await Assert.ThrowsAsync<LedgerCopyException>(
            () => LedgerCopy.CopyAsync(other.Options.DatabasePath, copied.Target, null, CancellationToken.None));

        Assert.Contains("already holds ledger rows", refusal.Message, StringComparison.Ordinal);
        Assert.Equal(before, await AllRowsAsync(copied.Target));
    }

    [Fact]
    public async Task Rejects_SourceNotAtThisReleasesSchema_TouchingNeitherSide()
    {
        var folder = Path.Combine(Path.GetTempPath(), "px-copy-tests", Guid.NewGuid().ToString("N"));
        using var old = await Release110Ledger.CreateAsync(folder);
        var history = await Release110Ledger.ScalarsAsync(old, "SELECT \"MigrationId\" FROM \"__EFMigrationsHistory\" ORDER BY 1");
        var target = await PostgresServer.Shared.CreateDatabaseAsync();
        try
        {
            var refusal = await Assert.ThrowsAsync<LedgerCopyException>(
                () => LedgerCopy.CopyAsync(Path.Combine(folder, "exchange.db"), target, null, CancellationToken.None));

            Assert.Contains("not at this release's schema", refusal.Message, StringComparison.Ordinal);
            Assert.Equal(history, await Release110Ledger.ScalarsAsync(old, "SELECT \"MigrationId\" FROM \"__EFMigrationsHistory\" ORDER BY 1"));
            Assert.Empty(await CopySubjects.PostgresTablesAsync(target));
        }
        finally
        {
            await PostgresServer.Shared.DropDatabaseAsync(target);
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task Rejects_MissingSourceFile()
    {
        var missing = Path.Combine(Path.GetTempPath(), "px-copy-tests", Guid.NewGuid().ToString("N") + ".db");

        await Assert.ThrowsAsync<LedgerCopyException>(() => LedgerCopy.CopyAsync(missing, copied.Target, null, CancellationToken.None));

        Assert.False(File.Exists(missing));
    }

    [Fact]
    public async Task Rejects_SourceWrittenDuringTheCopy_RollingItBack()
    {
        await using var running = await LedgerHarness.StartAsync();
        await running.CreateShopToAirAsync(100);
        var target = await PostgresServer.Shared.CreateDatabaseAsync();
        try
        {
            await LedgerSchema.MigrateAsync(LedgerEngine.Postgres, target, null, CancellationToken.None);
            // Another session's lock on a ledger table holds the copy after it opened its snapshot of the source.
            await using var blocker = new NpgsqlConnection(target);
            await blocker.OpenAsync();
            await using var blocking = await blocker.BeginTransactionAsync();
            await using (var command = new NpgsqlCommand("LOCK TABLE settings IN ACCESS SHARE MODE", blocker, blocking))
            {
                await command.ExecuteNonQueryAsync();
            }
            var copy = LedgerCopy.CopyAsync(running.Options.DatabasePath, target, null, CancellationToken.None);
            await WaitUntilWaitingForALockAsync(target, copy);
            // The exchange was not stopped: it commits while the copy runs.
            await running.AccrueAsync(LedgerHarness.Shop, "s1", 5);
            await blocking.RollbackAsync();

            var refusal = await Assert.ThrowsAsync<LedgerCopyException>(() => copy);

            Assert.Contains("was written to while it was being copied", refusal.Message, StringComparison.Ordinal);
            Assert.Empty(await AllRowsAsync(target));
        }
        finally
        {
            await PostgresServer.Shared.DropDatabaseAsync(target);
        }
    }

    [Fact]
    public async Task CopyAsync_TargetChangesAValueOnTheWay_RollsBackNamingTheTable()
    {
        var target = await PostgresServer.Shared.CreateDatabaseAsync();
        try
        {
            // A target that alters what it is given (here a trigger; in life a wrong type mapping or a broken server).
            await LedgerSchema.MigrateAsync(LedgerEngine.Postgres, target, null, CancellationToken.None);
            await CopySubjects.PostgresRowsAsync(target,
                "CREATE FUNCTION tamper() RETURNS trigger AS $$ BEGIN NEW.value := '\\x00'::bytea; RETURN NEW; END $$ LANGUAGE plpgsql; " +
                "CREATE TRIGGER tamper BEFORE INSERT ON settings FOR EACH ROW EXECUTE FUNCTION tamper(); SELECT 1");

            var report = await LedgerCopy.CopyAsync(copied.Source.Options.DatabasePath, target, null, CancellationToken.None);

            Assert.False(report.Committed);
            Assert.Equal(["settings"], report.Tables.Where(t => !t.Matches).Select(t => t.Name));
            Assert.True(report.TargetVerification.Ok);
            Assert.Empty(await AllRowsAsync(target));
        }
        finally
        {
            await PostgresServer.Shared.DropDatabaseAsync(target);
        }
    }

    /// <summary>Waits until a session of the database waits for a lock, failing if <paramref name="copy"/> ends first.</summary>
    private static async Task WaitUntilWaitingForALockAsync(string connectionString, Task copy)
    {
        const string Waiting = "SELECT COUNT(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database " +
            "WHERE NOT l.granted AND d.datname = current_database()";
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while ((await CopySubjects.PostgresRowsAsync(connectionString, Waiting)).Single() == "0")
        {
            if (copy.IsCompleted)
            {
                await copy;
                Assert.Fail("The copy ended without waiting for the lock.");
            }
            await Task.Delay(20, timeout.Token);
        }
    }

    /// <summary>Every row of every table of the database, each prefixed by its table.</summary>
    private static async Task<List<string>> AllRowsAsync(string connectionString)
    {
        var rows = new List<string>();
        foreach (var table in await CopySubjects.PostgresTablesAsync(connectionString))
        {
            rows.AddRange((await CopySubjects.PostgresTableAsync(connectionString, table)).Select(row => $"{table}: {row}"));
        }
        return rows;
    }
}
