using Microsoft.Data.Sqlite;
using PartnerExchange.Ledger.Reading;
using PartnerExchange.Ledger.Storage.Copy;
using PartnerExchange.Ledger.Tests.Infrastructure;
using static PartnerExchange.Ledger.Tests.Infrastructure.LedgerHarness;
using MsOptions = Microsoft.Extensions.Options.Options;

namespace PartnerExchange.Ledger.Tests.Storage;

/// <summary>
/// <c>ledger backup</c>, SQLite's online backup, beside the real writer: taken while it commits, or while it holds a
/// group open, the backup restores (as an operator restores it: the file put in place and the exchange started on it)
/// to a ledger that verifies clean and holds every transaction committed before the backup began.
/// </summary>
public sealed class LedgerBackupTests : LedgerTest
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "px-backup-tests", Guid.NewGuid().ToString("N"));

    private string BackupPath => Path.Combine(_folder, "backup.db");

    public override async Task InitializeAsync()
    {
        Directory.CreateDirectory(_folder);
        await base.InitializeAsync();
    }

    [Fact]
    public async Task BackupAsync_WriterCommittingMeanwhile_RestoresToAVerifiedLedgerWithEveryEarlierCommit()
    {
        await Ledger.CreateShopToAirAsync(1_000);
        var acknowledged = new List<long>();
        var halfway = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var writes = Task.Run(async () =>
        {
            for (var i = 0; i < 200; i++)
            {
                var sequence = Responses.SequenceOf(await Ledger.AccrueAsync(Shop, "s1", 1));
                lock (acknowledged)
                {
                    acknowledged.Add(sequence);
                }
                if (i == 50)
                {
                    halfway.SetResult();
                }
            }
        });
        await halfway.Task;
        List<long> committedBefore;
        lock (acknowledged)
        {
            committedBefore = [.. acknowledged];
        }

        var report = await LedgerBackup.BackupAsync(Ledger.Options.DatabasePath, BackupPath, CancellationToken.None);
        await writes;

        Assert.True(report.Verification.Ok, string.Join('\n', report.Verification.Findings));
        var restored = await RestoreAsync();
        Assert.True(restored.Verification.Ok, string.Join('\n', restored.Verification.Findings));
        Assert.Empty(committedBefore.Except(restored.Sequences));
        Assert.Equal(report.LastSequence, restored.Sequences.Max());
    }

    [Fact]
    public async Task BackupAsync_WriterInsideAnOpenGroup_CompletesWithoutWaitingAndHoldsOnlyCommittedWrites()
    {
        await Ledger.CreateShopToAirAsync(1_000);
        var committed = await Ledger.SequencesAsync();
        var gate = new WriterGate();
        var held = Ledger.Hold(gate);
        await gate.Entered;
        var queued = Enumerable.Range(0, 5).Select(_ => Ledger.Submit(Shop, Ledger.AccrueCommand(Shop, "s1", 5))).ToList();

        LedgerBackupReport report;
        try
        {
            report = await LedgerBackup.BackupAsync(Ledger.Options.DatabasePath, BackupPath, CancellationToken.None);
        }
        finally
        {
            gate.Release();
        }
        await held;
        await Task.WhenAll(queued);

        var restored = await RestoreAsync();
        Assert.True(restored.Verification.Ok, string.Join('\n', restored.Verification.Findings));
        Assert.Equal(committed, restored.Sequences);
        Assert.True((await Ledger.SequencesAsync()).Count > committed.Count);
    }

    [Fact]
    public async Task Rejects_ExistingBackupFile_LeavingItAlone()
    {
        await File.WriteAllTextAsync(BackupPath, "an earlier backup");

        await Assert.ThrowsAsync<LedgerCopyException>(
            () => LedgerBackup.BackupAsync(Ledger.Options.DatabasePath, BackupPath, CancellationToken.None));

        Assert.Equal("an earlier backup", await File.ReadAllTextAsync(BackupPath));
    }

    /// <summary>
    /// Restores the backup as an operator would: the file put where a ledger lives, the exchange's start-up (its
    /// migrations) run on it, then <c>ledger verify</c>.
    /// </summary>
    private async Task<(LedgerVerification Verification, List<long> Sequences)> RestoreAsync()
    {
        var restoredPath = Path.Combine(_folder, "restored", "exchange.db");
        Directory.CreateDirectory(Path.GetDirectoryName(restoredPath)!);
        File.Copy(BackupPath, restoredPath);
        using var database = new LedgerDatabase(MsOptions.Create(new LedgerOptions { DatabasePath = restoredPath }));
        await database.MigrateAsync(CancellationToken.None);
        var verification = await new LedgerAudit(database).VerifyAsync(CancellationToken.None);
        var sequences = new List<long>();
        await using (var connection = new SqliteConnection(database.ConnectionString))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT sequence FROM transactions ORDER BY sequence";
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                sequences.Add(reader.GetInt64(0));
            }
            SqliteConnection.ClearPool(connection);
        }
        return (verification, sequences);
    }
}
