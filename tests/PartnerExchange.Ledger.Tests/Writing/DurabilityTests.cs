using Microsoft.Data.Sqlite;
using PartnerExchange.Ledger.Reading;
using PartnerExchange.Ledger.Tests.Infrastructure;
using static PartnerExchange.Ledger.Tests.Infrastructure.LedgerHarness;

namespace PartnerExchange.Ledger.Tests.Writing;

/// <summary>
/// Nothing is acknowledged before its group commits, every acknowledged write is in the file, and the file
/// and the writer's connection carry the durable settings (WAL, synchronous=FULL).
/// </summary>
public sealed class DurabilityTests : LedgerTest
{
    private static readonly TimeSpan ReadLimit = TimeSpan.FromSeconds(30);

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await Ledger.CreatePartnerAsync(Air);
        await Ledger.EnrollAsync(Air, "m1");
    }

    [Fact]
    public async Task WriteAsync_WriterDisposedAndFileReopened_EveryAcknowledgedWriteIsThere()
    {
        var writes = Enumerable.Range(1, 50).Select(i => Ledger.Submit(Air, Ledger.AccrueCommand(Air, "m1", i, $"accrue-{i}"))).ToList();
        var outcomes = await Task.WhenAll(writes);
        Assert.All(outcomes, o => Assert.False(o.Value.Response.IsRefusal));
        await Ledger.DisposeWriterAsync();

        var reopened = new LedgerQueries(Ledger.OpenSameFile());

        var account = await reopened.GetAccountAsync(Air, "m1", default);
        Assert.Equal(50 * 51 / 2, account!.BalancePoints);
        var listed = await reopened.ListTransactionsAsync(new TransactionFilter(Air, "m1", [], null, null, null, 100), default);
        Assert.Equal(Enumerable.Range(1, 50).Reverse().Select(i => (long)i), listed.Select(t => t.Sequence));
        Assert.Equal(
            outcomes.Select(o => Responses.TransactionIdOf(o.Value.Response)).Order(StringComparer.Ordinal),
            listed.Select(t => t.TransactionId).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task DisposeAsync_WritesStillQueued_CompletesThemBeforeReturning()
    {
        var gate = new WriterGate();
        var held = Ledger.Hold(gate);
        await gate.Entered;
        var queued = Enumerable.Range(1, 10).Select(i => Ledger.Submit(Air, Ledger.AccrueCommand(Air, "m1", i))).ToList();

        var disposing = Ledger.DisposeWriterAsync();
        gate.Release();
        await disposing;

        Assert.All(queued, t => Assert.True(t.IsCompletedSuccessfully));
        Assert.True(held.IsCompletedSuccessfully);
        Assert.Equal(55, (await new LedgerQueries(Ledger.OpenSameFile()).GetAccountAsync(Air, "m1", default))!.BalancePoints);
    }

    [Fact]
    public async Task WriteAsync_GroupExecutedButNotCommitted_NotAcknowledgedAndInvisibleToReaders()
    {
        var first = new WriterGate();
        var second = new WriterGate();
        var heldFirst = Ledger.Hold(first);
        await first.Entered;
        var accrual = Ledger.Submit(Air, Ledger.AccrueCommand(Air, "m1", 7));
        var heldSecond = Ledger.Hold(second);
        first.Release();
        await second.Entered;

        // The accrual has executed in the open group; the group has not committed.
        Assert.False(accrual.IsCompleted);
        // Readers do not wait for the writer's open transaction, and see only committed state.
        var during = await Ledger.Queries.GetAccountAsync(Air, "m1", default).WaitAsync(ReadLimit);
        Assert.Equal(0, during!.BalancePoints);
        Assert.Equal(0, await Ledger.ScalarAsync("SELECT COUNT(*) FROM transactions").WaitAsync(ReadLimit));

        second.Release();
        await Task.WhenAll(heldFirst, heldSecond);
        Assert.Equal(1, Responses.SequenceOf((await accrual).Value.Response));
        Assert.Equal(7, (await Ledger.Queries.GetAccountAsync(Air, "m1", default))!.BalancePoints);
    }

    [Fact]
    public async Task MigrateAsync_NewFile_JournalModeIsWal()
    {
        await using var connection = new SqliteConnection(Ledger.Database.ConnectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode;";

        Assert.Equal("wal", (string?)await command.ExecuteScalarAsync());
    }

    [Fact]
    public async Task OpenWriterConnection_DefaultOptions_SynchronousFullWithBusyTimeoutAndForeignKeys()
    {
        await using var connection = Ledger.Database.OpenWriterConnection();

        Assert.Equal(2, Pragma(connection, "synchronous"));
        Assert.Equal(5_000, Pragma(connection, "busy_timeout"));
        Assert.Equal(1, Pragma(connection, "foreign_keys"));
    }

    [Fact]
    public async Task OpenWriterConnection_DurableCommitsOff_SynchronousNormal()
    {
        await using var ledger = await LedgerHarness.StartAsync(o =>
        {
            o.DurableCommits = false;
            o.BusyTimeout = TimeSpan.FromMilliseconds(250);
        });
        await using var connection = ledger.Database.OpenWriterConnection();

        Assert.Equal(1, Pragma(connection, "synchronous"));
        Assert.Equal(250, Pragma(connection, "busy_timeout"));
    }

    [Fact]
    public async Task OpenWriterConnection_BackgroundCheckpointerOn_WriterCheckpointsOnlyAsBackstop()
    {
        await using var ledger = await LedgerHarness.StartAsync(o =>
        {
            o.WalMaxPages = 5_000;
            o.WriterCacheMiB = 16;
        });
        await using var writer = ledger.Database.OpenWriterConnection();
        await using var checkpoints = ledger.Database.OpenCheckpointConnection();

        Assert.Equal(5_000, Pragma(writer, "wal_autocheckpoint"));
        Assert.Equal(5_000 * 4096, Pragma(writer, "journal_size_limit"));
        Assert.Equal(-16 * 1024, Pragma(writer, "cache_size"));
        // A checkpoint fsyncs as its own connection says: the same durability as the writer's commits.
        Assert.Equal(2, Pragma(checkpoints, "synchronous"));
    }

    [Fact]
    public async Task OpenWriterConnection_BackgroundCheckpointerOff_SqliteDefaultCheckpoints()
    {
        await using var ledger = await LedgerHarness.StartAsync(o => o.CheckpointInterval = TimeSpan.Zero);
        await using var writer = ledger.Database.OpenWriterConnection();

        Assert.Equal(1_000, Pragma(writer, "wal_autocheckpoint"));
    }

    private static long Pragma(SqliteConnection connection, string name)
    {
        using var command = connection.CreateCommand();
        command.CommandText = $"PRAGMA {name};";
        return (long)command.ExecuteScalar()!;
    }
}
