using PartnerExchange.Domain;
using PartnerExchange.Domain.Ledger;
using PartnerExchange.Ledger.Commands;
using PartnerExchange.Ledger.Tests.Infrastructure;
using PartnerExchange.Ledger.Writing;
using static PartnerExchange.Ledger.Tests.Infrastructure.LedgerHarness;

namespace PartnerExchange.Ledger.Tests.Writing;

/// <summary>
/// Many requests committed in shared groups: refusals inside a group leave no trace, accepted requests all
/// commit, and sequence numbers stay gap-free across refusals.
/// </summary>
public sealed class GroupCommitTests : LedgerTest
{
    private const int Requests = 100;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await Ledger.CreatePartnerAsync(Air);
        await Ledger.EnrollAsync(Air, "m1");
    }

    [Fact]
    public async Task WriteAsync_RefusalsBetweenAcceptedRequestsInSharedGroups_SequenceIsGapFree()
    {
        // Every fourth request redeems far more than the member will ever have; the rest accrue 5 points.
        var receipts = await InSharedGroupsAsync(i => i % 4 == 0
            ? Ledger.Submit(Air, new Redeem(Air, "m1", 1_000_000, $"too-much-{i}"))
            : Ledger.Submit(Air, Ledger.AccrueCommand(Air, "m1", 5, $"accrue-{i}")));

        var refused = receipts.Where((_, i) => i % 4 == 0).ToList();
        var accepted = receipts.Where((_, i) => i % 4 != 0).ToList();
        Assert.All(refused, r => Assert.Equal(ErrorReason.InsufficientPoints, Responses.ReasonOf(r.Response)));
        // Executed in queue order, so the accepted requests took 1..75 in the order they were submitted.
        Assert.Equal(Enumerable.Range(1, 75).Select(i => (long)i), accepted.Select(r => Responses.SequenceOf(r.Response)));
        Assert.Equal(Enumerable.Range(1, 75).Select(i => (long)i), await Ledger.SequencesAsync());
        Assert.Equal(0, await Ledger.ScalarAsync("SELECT COUNT(*) FROM transactions WHERE reference LIKE 'too-much-%'"));
        Assert.Equal(150, await Ledger.ScalarAsync("SELECT COUNT(*) FROM postings"));
        Assert.Equal(375, (await Ledger.Queries.GetAccountAsync(Air, "m1", default))!.BalancePoints);
    }

    [Fact]
    public async Task WriteAsync_RedemptionsRacingForOneBalanceInSharedGroups_OnlyAffordableOnesCommit()
    {
        await Ledger.AccrueAsync(Air, "m1", 1_000);

        var receipts = await InSharedGroupsAsync(i => Ledger.Submit(Air, new Redeem(Air, "m1", 30, $"redeem-{i}")));

        // 1000 points pay for 33 redemptions of 30: the first 33 in queue order, each leaving the balance it reports.
        var accepted = receipts.Take(33).ToList();
        Assert.All(accepted, r => Assert.False(r.Response.IsRefusal));
        Assert.Equal(Enumerable.Range(2, 33).Select(i => (long)i), accepted.Select(r => Responses.SequenceOf(r.Response)));
        Assert.Equal(Enumerable.Range(0, 33).Select(i => 1_000L - (30 * (i + 1))), accepted.Select(r => Responses.BalanceOf(r.Response)));
        Assert.All(receipts.Skip(33), r => Assert.Equal(ErrorReason.InsufficientPoints, Responses.ReasonOf(r.Response)));
        Assert.Equal(Enumerable.Range(1, 34).Select(i => (long)i), await Ledger.SequencesAsync());
        Assert.Equal(33, await Ledger.ScalarAsync("SELECT COUNT(*) FROM transactions WHERE kind = $kind", ("$kind", (int)TransactionKind.Redemption)));
        Assert.Equal(66, await Ledger.ScalarAsync("SELECT COUNT(*) FROM postings WHERE sequence > 1"));
        Assert.Equal(10, (await Ledger.Queries.GetAccountAsync(Air, "m1", default))!.BalancePoints);
    }

    [Fact]
    public async Task WriteAsync_RefusedRequestsInSharedGroups_StoreOnlyTheirIdempotencyRecord()
    {
        var receipts = await InSharedGroupsAsync(i => Ledger.Submit(Air, new Redeem(Air, "m1", 1 + i, $"redeem-{i}")));

        Assert.All(receipts, r => Assert.Equal(ErrorReason.InsufficientPoints, Responses.ReasonOf(r.Response)));
        Assert.Equal(0, await Ledger.ScalarAsync("SELECT COUNT(*) FROM transactions"));
        Assert.Equal(0, await Ledger.ScalarAsync("SELECT COUNT(*) FROM postings"));
        // Refusals leave no system account behind either: only the member's enrollment exists.
        Assert.Equal(1, await Ledger.ScalarAsync("SELECT COUNT(*) FROM accounts"));
        Assert.Equal(Requests, await Ledger.ScalarAsync(
            "SELECT COUNT(*) FROM idempotency_records WHERE principal = $p AND is_refusal = 1", ("$p", Air)));
    }

    [Fact]
    public async Task WriteAsync_ManyConcurrentCallersWithoutCoordination_EveryAcceptedWriteCommits()
    {
        // No gate: the writer forms whatever groups the timing gives; the outcome must not depend on it.
        var writes = Enumerable.Range(0, Requests)
            .Select(i => Task.Run(() => Ledger.Submit(Air, Ledger.AccrueCommand(Air, "m1", 1 + i, $"accrue-{i}"))))
            .ToList();
        var outcomes = await Task.WhenAll(writes);

        Assert.All(outcomes, o => Assert.False(o.Value.Response.IsRefusal));
        Assert.Equal(Enumerable.Range(1, Requests).Select(i => (long)i),
            outcomes.Select(o => Responses.SequenceOf(o.Value.Response)).Order());
        Assert.Equal(Enumerable.Range(1, Requests).Select(i => (long)i), await Ledger.SequencesAsync());
        Assert.Equal(Requests * (Requests + 1) / 2, (await Ledger.Queries.GetAccountAsync(Air, "m1", default))!.BalancePoints);
    }

    [Fact]
    public async Task WriteAsync_RefusalBeforeAnyWriteInsideAGroup_GroupRunsOnceWithoutRedoingOthers()
    {
        var count = new ExecutionCount();

        var receipts = await InSharedGroupsAsync(i => i == 0
            ? Ledger.Submit(Air, new CountedAccrual(Air, "m1", 10, count))
            : Ledger.Submit(Air, new Redeem(Air, "m1", 1_000_000, "too-much")), requests: 2);
        var (counted, refused) = (receipts[0], receipts[1]);

        Assert.Equal(1, count.Value);
        Assert.False(counted.Response.IsRefusal);
        Assert.Equal(ErrorReason.InsufficientPoints, Responses.ReasonOf(refused.Response));
        Assert.Equal([1L], await Ledger.SequencesAsync());
    }

    [Fact]
    public async Task WriteAsync_RefusalAfterWritingInsideAGroup_GroupGoesAgainIsolatedAndKeepsOnlyTheRefusalsRecord()
    {
        var count = new ExecutionCount();

        var receipts = await InSharedGroupsAsync(i => i == 0
            ? Ledger.Submit(Air, new CountedAccrual(Air, "m1", 10, count))
            : Ledger.Submit(Scope(Air, "refused-late"), new RefusalAfterWriting(Air, "ghost")), requests: 2);
        var (counted, refused) = (receipts[0], receipts[1]);

        // The optimistic round could not undo the refusal alone, so the whole group ran again, each request isolated.
        Assert.Equal(2, count.Value);
        Assert.Equal(1, Responses.SequenceOf(counted.Response));
        Assert.Equal(ErrorReason.InsufficientPoints, Responses.ReasonOf(refused.Response));
        Assert.Equal([1L], await Ledger.SequencesAsync());
        Assert.False(await Ledger.Queries.IsEnrolledAsync(Air, "ghost", default));
        Assert.Equal(10, (await Ledger.Queries.GetAccountAsync(Air, "m1", default))!.BalancePoints);
        Assert.Equal(1, await Ledger.ScalarAsync(
            "SELECT COUNT(*) FROM idempotency_records WHERE principal = $p AND idempotency_key = 'refused-late' AND is_refusal = 1",
            ("$p", Air)));
    }

    [Fact]
    public async Task WriteAsync_PartnerSuspendedInsideAGroup_LaterRequestsOfThatGroupAreRefused()
    {
        // The writer serves callers in turn, so the group runs: accrual, suspension, accrual. The first accrual
        // reads the partner while it is active; the second must see the suspension (a cache of partners per
        // group would have to forget the partner it changed).
        var gate = new WriterGate();
        var held = Ledger.Hold(gate);
        await gate.Entered;
        var before = Ledger.Submit(Air, Ledger.AccrueCommand(Air, "m1", 5, "before"));
        var suspend = Ledger.Submit(IdempotencyScope.OperatorPrincipal, new SetPartnerSuspended(Air, Suspended: true));
        var after = Ledger.Submit(Air, Ledger.AccrueCommand(Air, "m1", 5, "after"));
        gate.Release();
        Assert.True((await held).IsSuccess);

        Assert.False((await before).Value.Response.IsRefusal);
        Assert.False((await suspend).Value.Response.IsRefusal);
        Assert.Equal(ErrorReason.PartnerSuspended, Responses.ReasonOf((await after).Value.Response));
        Assert.Equal(5, (await Ledger.Queries.GetAccountAsync(Air, "m1", default))!.BalancePoints);
    }

    /// <summary>
    /// Queues <paramref name="requests"/> requests (<see cref="Requests"/> unless told) while the writer is held,
    /// so they are taken together in groups of up to MaxGroupSize, and returns their receipts in submission order.
    /// </summary>
    private async Task<List<WriteReceipt>> InSharedGroupsAsync(Func<int, Task<Outcome<WriteReceipt>>> submit, int requests = Requests)
    {
        var gate = new WriterGate();
        var held = Ledger.Hold(gate);
        await gate.Entered;
        var writes = Enumerable.Range(0, requests).Select(submit).ToList();
        gate.Release();
        Assert.True((await held).IsSuccess);
        var outcomes = await Task.WhenAll(writes);
        Assert.All(outcomes, o => Assert.True(o.IsSuccess, o.ToString()));
        Assert.All(outcomes, o => Assert.False(o.Value.Replayed));
        return outcomes.Select(o => o.Value).ToList();
    }
}
