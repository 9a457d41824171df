using CsCheck;
using PartnerExchange.Domain.Expiry;
using PartnerExchange.Domain.Ledger;
using PartnerExchange.Ledger.Planning;
using PartnerExchange.Ledger.Stores;
using PartnerExchange.Ledger.Writing;

namespace PartnerExchange.Ledger.Tests.Planning;

/// <summary>The lot planner alone, over plain values: no database.</summary>
public sealed class LotPlannerTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public void TakeOldestFirst_SpendWithinFirstLot_TakesOnlyFromIt()
    {
        var moves = new List<LotMove>();

        var taken = LotPlanner.TakeOldestFirst([new OpenLot(3, 100), new OpenLot(7, 50)], 40, moves);

        Assert.Equal(40, taken);
        Assert.Equal([new LotMove(3, -40)], moves);
    }

    [Fact]
    public void TakeOldestFirst_SpendAcrossLots_EmptiesOlderLotsBeforeTouchingNewer()
    {
        var moves = new List<LotMove>();

        var taken = LotPlanner.TakeOldestFirst([new OpenLot(3, 100), new OpenLot(7, 50), new OpenLot(9, 10)], 130, moves);

        Assert.Equal(130, taken);
        Assert.Equal([new LotMove(3, -100), new LotMove(7, -30)], moves);
    }

    [Fact]
    public void TakeOldestFirst_LotsShortOfTheSpend_TakesThemAllAndSaysHowMuch()
    {
        var moves = new List<LotMove>();

        var taken = LotPlanner.TakeOldestFirst([new OpenLot(3, 20), new OpenLot(7, 5)], 40, moves);

        Assert.Equal(25, taken);
        Assert.Equal([new LotMove(3, -20), new LotMove(7, -5)], moves);
    }

    [Fact]
    public void Rejects_LotsNotOldestFirst()
    {
        Assert.Throws<InvalidOperationException>(() =>
            LotPlanner.TakeOldestFirst([new OpenLot(7, 100), new OpenLot(3, 100)], 150, []));
    }

    [Fact]
    public void TakeOldestFirst_AnyLotsAndSpend_TakesWhatAFifoQueueWouldTake()
    {
        var genLots = Gen.Long[1, 500].Array[0, 12];
        Gen.Select(genLots, Gen.Long[0, 3_000]).Sample((remaining, spend) =>
        {
            var lots = remaining.Select((points, i) => new OpenLot((i * 3) + 1, points)).ToList();
            var moves = new List<LotMove>();

            var taken = LotPlanner.TakeOldestFirst(lots, spend, moves);

            // The model: walk the queue, each lot emptied before the next is opened.
            var left = spend;
            var expected = new List<LotMove>();
            foreach (var lot in lots.TakeWhile(_ => left > 0))
            {
                var take = Math.Min(left, lot.RemainingPoints);
                expected.Add(new LotMove(lot.LotId, -take));
                left -= take;
            }
            Assert.Equal(expected, moves);
            Assert.Equal(Math.Min(spend, remaining.Sum()), taken);
        });
    }

    [Fact]
    public void Restore_WholeReversal_GivesBackEachLotWhatTheOriginalTook()
    {
        var moves = new List<LotMove>();

        var restored = LotPlanner.Restore([new LotMove(3, -100), new LotMove(7, -30)], 130, moves);

        Assert.Equal(130, restored);
        Assert.Equal([new LotMove(3, 100), new LotMove(7, 30)], moves);
    }

    [Fact]
    public void Restore_LessThanTaken_GivesBackInTheOrderTaken()
    {
        var moves = new List<LotMove>();

        var restored = LotPlanner.Restore([new LotMove(3, -100), new LotMove(7, -30)], 110, moves);

        Assert.Equal(110, restored);
        Assert.Equal([new LotMove(3, 100), new LotMove(7, 10)], moves);
    }

    [Fact]
    public void Restore_OriginalTookNoLots_RestoresNothing()
    {
        var moves = new List<LotMove>();

        Assert.Equal(0, LotPlanner.Restore([], 50, moves));
        Assert.Empty(moves);
    }

    [Fact]
    public void DebitOrder_MemberSpending_TakesOnlyLotsNotExpiredNow()
    {
        var order = LotPlanner.DebitOrder(new LotIntent(TransactionKind.Redemption, null, null), 1_000);

        Assert.Equal(new LotDebitOrder(LotSelection.UnexpiredAt(1_000), null), order);
    }

    [Fact]
    public void DebitOrder_Reversal_TakesTheOriginalsLotsFirstThenAny()
    {
        var order = LotPlanner.DebitOrder(new LotIntent(TransactionKind.Reversal, 42, null), 1_000);

        Assert.Equal(new LotDebitOrder(LotSelection.OpenedBy(42), LotSelection.Any), order);
    }

    [Fact]
    public void DebitOrder_Expiry_TakesExactlyTheLotsExpiredByItsMoment()
    {
        var order = LotPlanner.DebitOrder(new LotIntent(TransactionKind.Expiry, null, 900), 1_000);

        Assert.Equal(new LotDebitOrder(LotSelection.ExpiredBy(900), null), order);
    }

    [Fact]
    public void DebitOrder_Adjustment_TakesAnyLotExpiredOrNot()
    {
        var order = LotPlanner.DebitOrder(new LotIntent(TransactionKind.Adjustment, null, null), 1_000);

        Assert.Equal(new LotDebitOrder(LotSelection.Any, null), order);
    }

    [Fact]
    public void LapsedAt_InactiveLongerThanThePolicyAllows_LapsedAtTheDeadline()
    {
        var policy = new ExpiryPolicy(ExpiryPolicyKind.Inactivity, 6);
        var lastActivity = Now.AddMonths(-7);

        var lapsed = LotPlanner.LapsedAt(policy, lastActivity.ToUnixMicros(), Now.AddYears(-2).ToUnixMicros(), Now);

        Assert.Equal(lastActivity.AddMonths(6), lapsed);
    }

    [Fact]
    public void LapsedAt_ActiveWithinThePeriod_NotLapsed()
    {
        var policy = new ExpiryPolicy(ExpiryPolicyKind.Inactivity, 6);

        Assert.Null(LotPlanner.LapsedAt(policy, Now.AddMonths(-5).ToUnixMicros(), Now.AddYears(-2).ToUnixMicros(), Now));
    }

    [Fact]
    public void LapsedAt_PolicyYoungerThanItsPeriod_ClockRunsFromThePolicy()
    {
        var policy = new ExpiryPolicy(ExpiryPolicyKind.Inactivity, 6);

        // Inactive for years, but the policy only started three months ago.
        Assert.Null(LotPlanner.LapsedAt(policy, Now.AddYears(-3).ToUnixMicros(), Now.AddMonths(-3).ToUnixMicros(), Now));
    }

    [Fact]
    public void LapsedAt_LotLifetimePolicy_NeverLapsesAWholeBalance()
    {
        var policy = new ExpiryPolicy(ExpiryPolicyKind.LotLifetime, 6);

        Assert.Null(LotPlanner.LapsedAt(policy, Now.AddYears(-3).ToUnixMicros(), Now.AddYears(-3).ToUnixMicros(), Now));
    }

    [Fact]
    public void ExpiredUnposted_LapsedBalance_IsTheWholeBalance() =>
        Assert.Equal(250, LotPlanner.ExpiredUnposted(balanceLapsed: true, balancePoints: 250, expiredLotPoints: 40));

    [Fact]
    public void ExpiredUnposted_BalanceNotLapsed_IsItsExpiredLots() =>
        Assert.Equal(40, LotPlanner.ExpiredUnposted(balanceLapsed: false, balancePoints: 250, expiredLotPoints: 40));
}
