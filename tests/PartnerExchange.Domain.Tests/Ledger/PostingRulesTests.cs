using PartnerExchange.Domain.Ledger;
using PartnerExchange.Domain.Rates;

namespace PartnerExchange.Domain.Tests.Ledger;

public class PostingRulesTests
{
    [Fact]
    public void Accrual_DebitsIssuanceAndCreditsTheMember()
    {
        PostingLine[] expected =
        [
            new(AccountRef.System("AIR", AccountKind.Issuance), -500),
            new(AccountRef.Member("AIR", "m1"), 500),
        ];

        Assert.Equal(expected, PostingRules.Accrual("AIR", "m1", 500));
    }

    [Fact]
    public void Redemption_DebitsTheMemberAndCreditsRedemption()
    {
        PostingLine[] expected =
        [
            new(AccountRef.Member("AIR", "m1"), -500),
            new(AccountRef.System("AIR", AccountKind.Redemption), 500),
        ];

        Assert.Equal(expected, PostingRules.Redemption("AIR", "m1", 500));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void Accrual_NonPositivePoints_Throws(long points)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => PostingRules.Accrual("AIR", "m1", points));
        Assert.Throws<ArgumentOutOfRangeException>(() => PostingRules.Redemption("AIR", "m1", points));
    }

    [Theory]
    [InlineData(500)]
    [InlineData(-500)]
    public void Adjustment_MovesTheMemberByTheSignedAmountAgainstTheAdjustmentAccount(long points)
    {
        PostingLine[] expected =
        [
            new(AccountRef.System("AIR", AccountKind.Adjustment), -points),
            new(AccountRef.Member("AIR", "m1"), points),
        ];

        var lines = PostingRules.Adjustment("AIR", "m1", points);

        Assert.Equal(expected, lines);
        Assert.True(PostingRules.IsBalanced(lines));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(long.MinValue)]
    public void Adjustment_ZeroOrUnnegatablePoints_Throws(long points)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => PostingRules.Adjustment("AIR", "m1", points));
    }

    [Fact]
    public void Conversion_WithFee_PostsBothLegsAndTheFee()
    {
        var terms = new ConversionTerms(1000, 25, 1025, 800, 200, 1000);
        PostingLine[] expected =
        [
            new(AccountRef.Member("AIR", "a1"), -1025),
            new(AccountRef.System("AIR", AccountKind.ConversionOut), 1000),
            new(AccountRef.System("AIR", AccountKind.Fees), 25),
            new(AccountRef.System("HOTEL", AccountKind.ConversionIn), -1000),
            new(AccountRef.Member("HOTEL", "h1"), 1000),
        ];

        var lines = PostingRules.Conversion("AIR", "a1", "HOTEL", "h1", terms);

        Assert.Equal(expected, lines);
        Assert.True(PostingRules.IsBalanced(lines));
    }

    [Fact]
    public void Conversion_WithoutFee_OmitsTheFeeLine()
    {
        var terms = new ConversionTerms(1000, 0, 1000, 800, 0, 800);

        var lines = PostingRules.Conversion("AIR", "a1", "HOTEL", "h1", terms);

        Assert.Equal(4, lines.Count);
        Assert.DoesNotContain(lines, l => l.Account.Kind == AccountKind.Fees || l.AmountPoints == 0);
        Assert.True(PostingRules.IsBalanced(lines));
    }

    [Fact]
    public void Conversion_NothingReceived_OmitsTheDestinationLeg()
    {
        var terms = new ConversionTerms(1, 0, 1, 0, 0, 0);

        var lines = PostingRules.Conversion("AIR", "a1", "HOTEL", "h1", terms);

        Assert.All(lines, l => Assert.Equal("AIR", l.Account.ProgramCode));
        Assert.True(PostingRules.IsBalanced(lines));
    }

    [Theory]
    [InlineData(1000, 0, 999, 800)]
    [InlineData(1000, 5, 1000, 800)]
    [InlineData(0, 0, 0, 0)]
    [InlineData(1000, -1, 999, 800)]
    [InlineData(1000, 0, 1000, -1)]
    public void Conversion_InconsistentTerms_Throws(long source, long fee, long debit, long destination)
    {
        var terms = new ConversionTerms(source, fee, debit, destination, 0, destination);

        Assert.Throws<ArgumentException>(() => PostingRules.Conversion("AIR", "a1", "HOTEL", "h1", terms));
    }

    [Fact]
    public void Reversal_NegatesEveryLineOnTheSameAccounts()
    {
        var original = PostingRules.Conversion("AIR", "a1", "HOTEL", "h1", new ConversionTerms(1000, 25, 1025, 800, 0, 800));

        var reversal = PostingRules.Reversal(original);

        Assert.Equal(original.Select(l => l.Account), reversal.Select(l => l.Account));
        Assert.Equal(original.Select(l => -l.AmountPoints), reversal.Select(l => l.AmountPoints));
        Assert.Equal(original, PostingRules.Reversal(reversal));
    }

    [Fact]
    public void Reversal_LongMinValue_Throws()
    {
        PostingLine[] original = [new(AccountRef.System("AIR", AccountKind.Adjustment), long.MinValue)];

        Assert.Throws<ArgumentException>(() => PostingRules.Reversal(original));
    }

    [Fact]
    public void IsBalanced_ZeroOverallButNotPerProgram_ReturnsFalse()
    {
        PostingLine[] lines =
        [
            new(AccountRef.Member("AIR", "a1"), -100),
            new(AccountRef.Member("HOTEL", "h1"), 100),
        ];

        Assert.False(PostingRules.IsBalanced(lines));
    }

    [Fact]
    public void IsBalanced_SumThatWrapsToZeroInInt64_ReturnsFalse()
    {
        var account = AccountRef.System("AIR", AccountKind.Adjustment);
        PostingLine[] lines = [new(account, long.MaxValue), new(account, long.MaxValue), new(account, 2)];

        Assert.False(PostingRules.IsBalanced(lines));
    }

    [Fact]
    public void IsBalanced_LargeOffsettingLines_ReturnsTrue()
    {
        var account = AccountRef.System("AIR", AccountKind.Adjustment);
        PostingLine[] lines = [new(account, long.MaxValue), new(account, long.MaxValue), new(account, -long.MaxValue), new(account, -long.MaxValue)];

        Assert.True(PostingRules.IsBalanced(lines));
    }

    [Fact]
    public void IsBalanced_NoLines_ReturnsTrue()
    {
        Assert.True(PostingRules.IsBalanced([]));
    }
}
