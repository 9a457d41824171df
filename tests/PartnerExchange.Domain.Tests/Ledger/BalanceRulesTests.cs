using PartnerExchange.Domain.Ledger;

namespace PartnerExchange.Domain.Tests.Ledger;

public class BalanceRulesTests
{
    [Theory]
    [InlineData(AccountKind.Member, 0, 100, 100)]
    [InlineData(AccountKind.Member, 100, -100, 0)]
    [InlineData(AccountKind.Member, 100, -1, 99)]
    [InlineData(AccountKind.Member, long.MaxValue, -long.MaxValue, 0)]
    [InlineData(AccountKind.Member, long.MaxValue - 1, 1, long.MaxValue)]
    [InlineData(AccountKind.Issuance, 0, -100, -100)]
    [InlineData(AccountKind.ConversionIn, -5, -5, -10)]
    [InlineData(AccountKind.Adjustment, long.MinValue + 1, -1, long.MinValue)]
    public void Apply_Accepts_ValidPosting(AccountKind kind, long balance, long amountPoints, long expected)
    {
        Assert.Equal(expected, BalanceRules.Apply(kind, balance, amountPoints).Value);
    }

    [Theory]
    [InlineData(0, -1, "0", "1")]
    [InlineData(99, -100, "99", "100")]
    [InlineData(0, long.MinValue, "0", "9223372036854775808")]
    [InlineData(long.MaxValue - 1, -long.MaxValue, "9223372036854775806", "9223372036854775807")]
    public void Apply_MemberBelowZero_RefusesWithInsufficientPoints(long balance, long amountPoints, string balanceText, string requiredText)
    {
        var refusal = BalanceRules.Apply(AccountKind.Member, balance, amountPoints).Refusal;

        Assert.Equal(ErrorReason.InsufficientPoints, refusal.Reason);
        Assert.Equal(balanceText, refusal.Metadata["balance_points"]);
        Assert.Equal(requiredText, refusal.Metadata["required_points"]);
    }

    [Theory]
    [InlineData(AccountKind.Member, long.MaxValue, 1)]
    [InlineData(AccountKind.Member, 1, long.MaxValue)]
    [InlineData(AccountKind.Redemption, long.MaxValue, long.MaxValue)]
    [InlineData(AccountKind.Issuance, long.MinValue, -1)]
    [InlineData(AccountKind.Issuance, -2, long.MinValue + 1)]
    public void Apply_BeyondLong_RefusesWithBalanceOverflow(AccountKind kind, long balance, long amountPoints)
    {
        Assert.Equal(ErrorReason.BalanceOverflow, BalanceRules.Apply(kind, balance, amountPoints).Refusal.Reason);
    }

    [Theory]
    [InlineData(100, 0, 100, 0)]
    [InlineData(100, 40, 60, 40)]
    [InlineData(100, 100, 0, 100)]
    [InlineData(long.MaxValue, 1, long.MaxValue - 1, 1)]
    public void Spend_Accepts_UpToWhatHasNotExpired(long balance, long expiredPoints, long spentPoints, long expected)
    {
        Assert.Equal(expected, BalanceRules.Spend(balance, expiredPoints, spentPoints).Value);
    }

    [Theory]
    [InlineData(100, 40, 61)]
    [InlineData(100, 100, 1)]
    [InlineData(1, 1, long.MaxValue)]
    public void Spend_IntoExpiredPoints_RefusesWithInsufficientPointsAndTheExpiredPoints(long balance, long expiredPoints, long spentPoints)
    {
        var refusal = BalanceRules.Spend(balance, expiredPoints, spentPoints).Refusal;

        Assert.Equal(ErrorReason.InsufficientPoints, refusal.Reason);
        Assert.Equal(balance.ToString(System.Globalization.CultureInfo.InvariantCulture), refusal.Metadata["balance_points"]);
        Assert.Equal(spentPoints.ToString(System.Globalization.CultureInfo.InvariantCulture), refusal.Metadata["required_points"]);
        Assert.Equal(expiredPoints.ToString(System.Globalization.CultureInfo.InvariantCulture), refusal.Metadata["expired_points"]);
    }

    [Fact]
    public void Spend_BeyondTheBalanceWithNothingExpired_RefusesAsApplyDoes()
    {
        var refusal = BalanceRules.Spend(99, 0, 100).Refusal;

        Assert.Equal(ErrorReason.InsufficientPoints, refusal.Reason);
        Assert.False(refusal.Metadata.ContainsKey("expired_points"));
    }

    [Theory]
    [InlineData(100, -1, 10)]
    [InlineData(100, 101, 10)]
    [InlineData(100, 0, -10)]
    public void Spend_ImpossibleArguments_Throw(long balance, long expiredPoints, long spentPoints)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => BalanceRules.Spend(balance, expiredPoints, spentPoints));
    }

    [Fact]
    public void Apply_NegativeMemberBalance_Throws()
    {
        Assert.Throws<InvalidOperationException>(() => BalanceRules.Apply(AccountKind.Member, -1, 10));
    }
}
