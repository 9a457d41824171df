using Microsoft.Data.Sqlite;
using PartnerExchange.Domain;
using PartnerExchange.Domain.Ledger;
using PartnerExchange.Ledger.Expiry;
using PartnerExchange.Ledger.Stores;
using PartnerExchange.Ledger.Tests.Infrastructure;
using PartnerExchange.Ledger.Writing;
using static PartnerExchange.Ledger.Tests.Infrastructure.LedgerHarness;
using MsOptions = Microsoft.Extensions.Options.Options;

namespace PartnerExchange.Ledger.Tests.Expiry;

/// <summary>
/// Re-runs, runs split into batches, a writer restarted between batches and a batch whose commit fails never
/// expire a point twice; a dry run reports exactly what the real run then does and changes nothing.
/// </summary>
public sealed class ExpiryRunSafetyTests : LedgerTest
{
    private const long DuePoints = 10 + 20 + 30 + 40 + 50;
    private const int DueAccounts = 5;

    private DateTimeOffset _start;

    /// <summary>The moment the five members' lots expire.</summary>
    private DateTimeOffset Due => _start.AddMonths(12);

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _start = Ledger.Now();
        await Ledger.CreatePartnerWithPolicyAsync(Air, ExpiryLedger.TwelveMonthLots);
        for (var i = 1; i <= DueAccounts; i++)
        {
            await Ledger.EnrollAsync(Air, $"a{i}");
            await Ledger.AccrueAsync(Air, $"a{i}", i * 10);
        }
        // A later lot, 20 days short of its expiry at the run: it draws a 30-day warning, no expiry.
        await Ledger.EnrollAsync(Air, "late");
        Ledger.SetNow(_start.AddDays(20));
        await Ledger.AccrueAsync(Air, "late", 1_000);
        Ledger.SetNow(Due);
    }

    [Fact]
    public async Task ExpireBatch_SameAsOfTwice_SecondRunExpiresNothing()
    {
        var first = await Ledger.ExpireAsync(Due);

        var second = await Ledger.ExpireAsync(Due);

        Assert.Equal(new ExpiryBatchResult(DuePoints, DueAccounts, 1, false), first);
        Assert.Equal(new ExpiryBatchResult(0, 0, 0, false), second);
        Assert.Equal(DueAccounts, (await Ledger.SequencesOfKindAsync(TransactionKind.Expiry)).Count);
        await Ledger.AssertAuditCleanAsync();
    }

    [Fact]
    public async Task ExpireBatch_BudgetOfTwo_ExpiresEveryAccountExactlyOnceAcrossBatches()
    {
        var batches = await Ledger.Writer.ExpireInBatchesAsync(Ledger, Due, budget: 2);

        // The third batch spends its last unit on the warning, so it reports full and a fourth finds nothing.
        Assert.Equal([(2L, true), (2L, true), (1L, true), (0L, false)], batches.Select(b => (b.ExpiredAccounts, b.Full)));
        Assert.Equal(DuePoints, batches.Sum(b => b.ExpiredPoints));
        Assert.Equal(1, batches.Sum(b => b.Warnings));
        await AssertEachMemberExpiredOnceAsync();
    }

    [Fact]
    public async Task ExpireBatch_BudgetSpentOnExpiries_LeavesTheWarningToTheNextBatch()
    {
        var first = await Ledger.ExpireAsync(Due, budget: DueAccounts);
        var second = await Ledger.ExpireAsync(Due, budget: DueAccounts);

        Assert.Equal(new ExpiryBatchResult(DuePoints, DueAccounts, 0, true), first);
        Assert.Equal(new ExpiryBatchResult(0, 0, 1, false), second);
    }

    [Fact]
    public async Task ExpireBatch_WriterRestartedBetweenBatches_NeverExpiresTwice()
    {
        var before = await Ledger.ExpireAsync(Due, budget: 2);
        await Ledger.DisposeWriterAsync();

        var log = new CollectingLogger<LedgerWriter>();
        List<ExpiryBatchResult> after;
        await using (var restarted = new LedgerWriter(MsOptions.Create(Ledger.Options), Ledger.OpenSameFile(), Ledger.Clock, log))
        {
            after = await restarted.ExpireInBatchesAsync(Ledger, Due, budget: 2);
            after.Add(await restarted.ExpireAsync(new ExpireBatch(Due, null, ExpiryLedger.Horizons, 2, DryRun: false), "again"));
        }

        Assert.Equal(2, before.ExpiredAccounts);
        Assert.Equal(DuePoints, before.ExpiredPoints + after.Sum(b => b.ExpiredPoints));
        Assert.Equal(new ExpiryBatchResult(0, 0, 0, false), after[^1]);
        Assert.Empty(log.UnexpectedErrors());
        await AssertEachMemberExpiredOnceAsync();
    }

    [Fact]
    public async Task ExpireBatch_GroupFailsToCommit_ExpiresNothingAndTheRetryExpiresOnce()
    {
        var gate = new WriterGate();
        var held = Ledger.Hold(gate);
        await gate.Entered;
        var failed = Ledger.Writer.ExpireAsync(new ExpireBatch(Due, null, ExpiryLedger.Horizons, 2, DryRun: false), Ledger.NextKey());
        var diskFull = Ledger.Submit("@test", new DiskFull());
        gate.Release();
        await held;

        // The batch executed inside a group that then could not commit, as if the process died before the fsync.
        await Assert.ThrowsAsync<SqliteException>(() => failed);
        await Assert.ThrowsAsync<SqliteException>(() => diskFull);
        Assert.Single(Ledger.Log.TakeErrors());
        Assert.Empty(await Ledger.SequencesOfKindAsync(TransactionKind.Expiry));
        var retried = await Ledger.Writer.ExpireInBatchesAsync(Ledger, Due, budget: 2);

        Assert.Equal(DuePoints, retried.Sum(b => b.ExpiredPoints));
        await AssertEachMemberExpiredOnceAsync();
    }

    [Fact]
    public async Task ExpireBatch_DryRun_ReportsWhatTheRealRunThenDoes()
    {
        var dry = await Ledger.ExpireAsync(Due, dryRun: true);

        var real = await Ledger.ExpireAsync(Due);

        Assert.Equal(new ExpiryBatchResult(DuePoints, DueAccounts, 1, false), dry);
        Assert.Equal(dry, real);
    }

    [Fact]
    public async Task ExpireBatch_DryRunInOneUnlimitedBatch_ReportsTheTotalsOfTheRealRunInSmallBatches()
    {
        var dry = await Ledger.ExpireAsync(Due, budget: int.MaxValue, dryRun: true);

        var real = await Ledger.Writer.ExpireInBatchesAsync(Ledger, Due, budget: 2);

        Assert.Equal(
            (dry.ExpiredPoints, dry.ExpiredAccounts, dry.Warnings),
            (real.Sum(b => b.ExpiredPoints), real.Sum(b => b.ExpiredAccounts), real.Sum(b => b.Warnings)));
    }

    [Fact]
    public async Task ExpireBatch_DryRun_ChangesNothing()
    {
        var before = await Ledger.SnapshotAsync();

        await Ledger.ExpireAsync(Due, dryRun: true);

        Assert.Equal(before, await Ledger.SnapshotAsync());
    }

    [Fact]
    public async Task ExpireBatch_DryRunInTheFuture_ChangesNothing()
    {
        var before = await Ledger.SnapshotAsync();

        var dry = await Ledger.ExpireAsync(Due.AddYears(1), dryRun: true);

        Assert.Equal(DuePoints + 1_000, dry.ExpiredPoints);
        Assert.Equal(before, await Ledger.SnapshotAsync());
    }

    [Fact]
    public async Task ExpireBatch_AfterADryRun_TheNextTransactionTakesTheNextSequence()
    {
        var last = (await Ledger.SequencesAsync())[^1];

        await Ledger.ExpireAsync(Due, dryRun: true);
        var accrual = await Ledger.AccrueAsync(Air, "a1", 1);

        Assert.Equal(last + 1, Responses.SequenceOf(accrual));
        await Ledger.AssertAuditCleanAsync();
    }

    [Fact]
    public async Task ExpireBatch_RealRunAsOfAMomentToCome_FailsAndExpiresNothing()
    {
        var before = await Ledger.SnapshotAsync();

        await Assert.ThrowsAsync<InvalidOperationException>(() => Ledger.ExpireAsync(Due.AddTicks(10)));

        Assert.Equal(before, await Ledger.SnapshotAsync());
        Assert.Single(Ledger.Log.TakeErrors());
    }

    [Fact]
    public async Task ExpiryForecast_InSlicesOfTwoAccountIds_SaysWhatTheWritersDryRunDoes()
    {
        var whole = await Ledger.ExpireAsync(Due, budget: int.MaxValue, dryRun: true);

        var sliced = await Ledger.ForecastAsync(Due, accountIdsPerSlice: 2);

        Assert.Equal((DuePoints, (long)DueAccounts, 1L), (sliced.ExpiredPoints, sliced.ExpiredAccounts, sliced.Warnings));
        Assert.Equal(whole, sliced);
    }

    [Fact]
    public async Task ExpiryForecast_WhileTheWriterIsBusy_AnswersWithoutWaitingForIt()
    {
        using var release = new SemaphoreSlim(0);
        var busy = Ledger.Writer.WriteAsync(Scope(Air, Ledger.NextKey("busy")), new WaitInTheWriter(release), o => Responses.Encode(o),
            CancellationToken.None);

        // The writer holds its turn until released; a dry run that needed a turn would never finish.
        var forecast = await Ledger.ForecastAsync(Due).WaitAsync(TimeSpan.FromMinutes(1));
        release.Release();
        await busy;

        Assert.Equal((DuePoints, (long)DueAccounts), (forecast.ExpiredPoints, forecast.ExpiredAccounts));
    }

    [Fact]
    public async Task ExpiryForecast_OfAnUnknownProgram_IsRefusedPartnerNotFound()
    {
        var outcome = await new ExpiryForecast(Ledger.Database).ForecastAsync(Due, "NOPE", ExpiryLedger.Horizons, Ledger.Now(), default);

        Assert.Equal(ErrorReason.PartnerNotFound, outcome.Refusal.Reason);
    }

    /// <summary>A request that keeps the writer's turn until it is released.</summary>
    private sealed record WaitInTheWriter(SemaphoreSlim Release) : LedgerCommand<int>
    {
        internal override Outcome<int> Execute(LedgerWriteTransaction tx)
        {
            Release.Wait();
            return 0;
        }
    }

    [Fact]
    public async Task ExpireBatch_ZeroBudget_Fails()
    {
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Ledger.ExpireAsync(Due, budget: 0));

        Assert.Single(Ledger.Log.TakeErrors());
    }

    private async Task AssertEachMemberExpiredOnceAsync()
    {
        var expiries = await Ledger.SequencesOfKindAsync(TransactionKind.Expiry);
        var expiredMembers = new List<string>();
        foreach (var sequence in expiries)
        {
            expiredMembers.AddRange((await Ledger.PostingsAsync(sequence)).Where(p => p.Kind == AccountKind.Member).Select(p => p.MemberNumber));
        }
        Assert.Equal(["a1", "a2", "a3", "a4", "a5"], expiredMembers.Order(StringComparer.Ordinal));
        for (var i = 1; i <= DueAccounts; i++)
        {
            Assert.Equal(0, await Ledger.BalanceAsync(Air, $"a{i}"));
        }
        Assert.Equal(1_000, await Ledger.BalanceAsync(Air, "late"));
        Assert.Equal(DuePoints, await Ledger.SystemBalanceAsync(Air, AccountKind.Expiry));
        await Ledger.AssertAuditCleanAsync();
    }
}
