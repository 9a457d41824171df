using PartnerExchange.Domain;
using PartnerExchange.Domain.Ledger;
using PartnerExchange.Ledger.Planning;
using PartnerExchange.Ledger.Writing;

namespace PartnerExchange.Ledger.Tests.Planning;

/// <summary>The posting planner alone, over plain values: no database.</summary>
public sealed class PostingPlannerTests
{
    private static readonly PostingLine MemberSpends50 = new(AccountRef.Member("AIR", "m1"), -50);
    private static readonly LotIntent Redemption = new(TransactionKind.Redemption, null, null);
    private static readonly LotIntent Reversal = new(TransactionKind.Reversal, 7, null);

    [Fact]
    public void BalanceAfter_MemberSpendsWithinUnexpiredPoints_LeavesTheRest()
    {
        var after = PostingPlanner.BalanceAfter(MemberSpends50, beforePoints: 100, Redemption, expiredUnpostedPoints: 50);

        Assert.Equal(50, after.Value);
    }

    [Fact]
    public void Rejects_MemberSpendingExpiredPoints()
    {
        var after = PostingPlanner.BalanceAfter(MemberSpends50, beforePoints: 100, Redemption, expiredUnpostedPoints: 51);

        Assert.Equal(ErrorReason.InsufficientPoints, after.Refusal.Reason);
    }

    [Fact]
    public void Rejects_MemberSpendingBeyondTheBalance()
    {
        var after = PostingPlanner.BalanceAfter(MemberSpends50, beforePoints: 49, Redemption, expiredUnpostedPoints: 0);

        Assert.Equal(ErrorReason.InsufficientPoints, after.Refusal.Reason);
    }

    [Fact]
    public void SpendsOnlyUnexpired_ReversalDebit_MayTakeExpiredPoints()
    {
        Assert.False(PostingPlanner.SpendsOnlyUnexpired(MemberSpends50, Reversal));
        Assert.Equal(50, PostingPlanner.BalanceAfter(MemberSpends50, beforePoints: 100, Reversal, expiredUnpostedPoints: 0).Value);
    }

    [Fact]
    public void SpendsOnlyUnexpired_MemberCredit_NeedsNoExpiredPoints() =>
        Assert.False(PostingPlanner.SpendsOnlyUnexpired(new PostingLine(AccountRef.Member("AIR", "m1"), 50), Redemption));

    [Fact]
    public void BalanceAfter_SystemAccount_MayGoBelowZero()
    {
        var issuance = new PostingLine(AccountRef.System("AIR", AccountKind.Issuance), -500);

        Assert.Equal(-500, PostingPlanner.BalanceAfter(issuance, beforePoints: 0, Redemption, expiredUnpostedPoints: 0).Value);
    }

    [Fact]
    public void Rejects_BalanceBeyondInt64()
    {
        var credit = new PostingLine(AccountRef.Member("AIR", "m1"), 10);

        Assert.Equal(ErrorReason.BalanceOverflow,
            PostingPlanner.BalanceAfter(credit, beforePoints: long.MaxValue - 5, Redemption, expiredUnpostedPoints: 0).Refusal.Reason);
    }
}
