using PartnerExchange.Domain.Ledger;

namespace PartnerExchange.Domain.Tests.Ledger;

public class AccountRefTests
{
    [Fact]
    public void Member_HasMemberNumberAndKind()
    {
        var account = AccountRef.Member("AIR", "m1");

        Assert.Equal(new AccountRef("AIR", AccountKind.Member, "m1"), account);
        Assert.True(account.IsMember);
    }

    [Theory]
    [InlineData(AccountKind.Issuance)]
    [InlineData(AccountKind.Redemption)]
    [InlineData(AccountKind.ConversionOut)]
    [InlineData(AccountKind.ConversionIn)]
    [InlineData(AccountKind.Expiry)]
    [InlineData(AccountKind.Fees)]
    [InlineData(AccountKind.Adjustment)]
    public void System_HasNoMemberNumber(AccountKind kind)
    {
        var account = AccountRef.System("AIR", kind);

        Assert.Null(account.MemberNumber);
        Assert.False(account.IsMember);
    }

    [Fact]
    public void System_MemberKind_Throws()
    {
        Assert.Throws<ArgumentException>(() => AccountRef.System("AIR", AccountKind.Member));
    }

    [Theory]
    [InlineData(AccountKind.Member, null)]
    [InlineData(AccountKind.Issuance, "m1")]
    public void Constructor_MemberNumberDisagreesWithKind_Throws(AccountKind kind, string? memberNumber)
    {
        Assert.Throws<ArgumentException>(() => new AccountRef("AIR", kind, memberNumber));
    }

    [Fact]
    public void Kinds_KeepTheirStoredValues()
    {
        Assert.Equal(
            [1, 2, 3, 4, 5, 6, 7, 8],
            new[] { AccountKind.Member, AccountKind.Issuance, AccountKind.Redemption, AccountKind.ConversionOut, AccountKind.ConversionIn, AccountKind.Expiry, AccountKind.Fees, AccountKind.Adjustment }.Select(k => (int)k));
        Assert.Equal(
            [1, 2, 3, 4, 5, 6],
            new[] { TransactionKind.Accrual, TransactionKind.Redemption, TransactionKind.Conversion, TransactionKind.Reversal, TransactionKind.Expiry, TransactionKind.Adjustment }.Select(k => (int)k));
    }
}
