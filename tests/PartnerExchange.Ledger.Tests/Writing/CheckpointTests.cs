using Microsoft.Data.Sqlite;
using PartnerExchange.Ledger.Tests.Infrastructure;
using static PartnerExchange.Ledger.Tests.Infrastructure.LedgerHarness;

namespace PartnerExchange.Ledger.Tests.Writing;

/// <summary>
/// The background checkpointer copies committed writes from the write-ahead log into the database file
/// without the writer's help.
/// </summary>
public sealed class CheckpointTests
{
    private const int Accruals = 20;
    private static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task BackgroundCheckpointer_AfterCommits_CopiesThemIntoTheDatabaseFile()
    {
        await using var ledger = await StartWithAccrualsAsync(TimeSpan.FromMilliseconds(20));

        // The log holds far fewer pages than the writer's own checkpoint waits for: only the checkpointer copies them.
        var deadline = DateTime.UtcNow + WaitLimit;
        while (await TransactionsInDatabaseFileAsync(ledger) < Accruals && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        Assert.Equal(Accruals, await TransactionsInDatabaseFileAsync(ledger));
    }

    [Fact]
    public async Task BackgroundCheckpointerOff_FewCommits_StayInTheLog()
    {
        // The counterpart of the test above: without the checkpointer, SQLite's own checkpoint waits for
        // 1,000 pages, so the same writes are not in the database file yet.
        await using var ledger = await StartWithAccrualsAsync(TimeSpan.Zero);
        await Task.Delay(200);

        Assert.Equal(0, await TransactionsInDatabaseFileAsync(ledger));
    }

    private static async Task<LedgerHarness> StartWithAccrualsAsync(TimeSpan checkpointInterval)
    {
        var ledger = await LedgerHarness.StartAsync(o => o.CheckpointInterval = checkpointInterval);
        await ledger.CreatePartnerAsync(Air);
        await ledger.EnrollAsync(Air, "m1");
        for (var i = 0; i < Accruals; i++)
        {
            await ledger.AccrueAsync(Air, "m1", 10, $"accrual-{i}");
        }
        return ledger;
    }

    /// <summary>
    /// Transactions in a copy of the database file taken without its log: what has been checkpointed. A copy
    /// taken during a checkpoint may be torn; that reads as -1, and the caller looks again.
    /// </summary>
    private static async Task<long> TransactionsInDatabaseFileAsync(LedgerHarness ledger)
    {
        var copy = Path.Combine(Path.GetTempPath(), $"px-checkpoint-{Guid.NewGuid():N}.db");
        try
        {
            var source = new SqliteConnectionStringBuilder(ledger.Database.ConnectionString).DataSource;
            File.Copy(source, copy);
            await using var connection = new SqliteConnection($"Data Source={copy};Pooling=False");
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            // The schema itself may still be in the log: then nothing is in the file yet.
            command.CommandText = "SELECT COUNT(*) FROM sqlite_master WHERE name = 'transactions'";
            if ((long)(await command.ExecuteScalarAsync())! == 0)
            {
                return 0;
            }
            command.CommandText = "SELECT COUNT(*) FROM transactions";
            return (long)(await command.ExecuteScalarAsync())!;
        }
        catch (SqliteException)
        {
            return -1;
        }
        finally
        {
            foreach (var file in new[] { copy, copy + "-wal", copy + "-shm" })
            {
                File.Delete(file);
            }
        }
    }
}
