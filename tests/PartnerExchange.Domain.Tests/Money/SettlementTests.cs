using PartnerExchange.Domain.Money;

namespace PartnerExchange.Domain.Tests.Money;

public class SettlementTests
{
    [Theory]
    // USD: 10 000 micros per cent.
    [InlineData(1, 12_500, "USD", 12_500, 1)]
    [InlineData(2, 12_500, "USD", 25_000, 3)]
    [InlineData(4, 12_500, "USD", 50_000, 5)]
    [InlineData(1, 5_000, "USD", 5_000, 1)]
    [InlineData(1, 4_999, "USD", 4_999, 0)]
    [InlineData(1, 15_000, "USD", 15_000, 2)]
    [InlineData(1, 14_999, "USD", 14_999, 1)]
    [InlineData(0, 12_500, "USD", 0, 0)]
    [InlineData(1_000, 12_500, "USD", 12_500_000, 1_250)]
    // Negatives round like their positive mirror.
    [InlineData(-1, 5_000, "USD", -5_000, -1)]
    [InlineData(-1, 4_999, "USD", -4_999, 0)]
    [InlineData(-2, 12_500, "USD", -25_000, -3)]
    [InlineData(1, -15_000, "USD", -15_000, -2)]
    // JPY, exponent 0: 1 000 000 micros per yen.
    [InlineData(1, 500_000, "JPY", 500_000, 1)]
    [InlineData(1, 499_999, "JPY", 499_999, 0)]
    [InlineData(3, 1_500_000, "JPY", 4_500_000, 5)]
    [InlineData(-1, 500_000, "JPY", -500_000, -1)]
    [InlineData(-1, 499_999, "JPY", -499_999, 0)]
    // KWD, exponent 3: 1 000 micros per fils.
    [InlineData(1, 500, "KWD", 500, 1)]
    [InlineData(1, 499, "KWD", 499, 0)]
    [InlineData(1, 1_500, "KWD", 1_500, 2)]
    [InlineData(-1, 500, "KWD", -500, -1)]
    [InlineData(-1, 1_499, "KWD", -1_499, -1)]
    // The edges of long.
    [InlineData(long.MaxValue, 1, "USD", long.MaxValue, 922_337_203_685_478)]
    [InlineData(-long.MaxValue, 1, "USD", -long.MaxValue, -922_337_203_685_478)]
    [InlineData(long.MinValue, 1, "USD", long.MinValue, -922_337_203_685_478)]
    [InlineData(long.MinValue, 1, "JPY", long.MinValue, -9_223_372_036_855)]
    public void ObligationFor_RoundsHalfAwayFromZero(
        long destinationPoints, long pointPriceMicros, string currencyCode, long expectedMicros, long expectedMinor)
    {
        var amount = Domain.Money.Settlement.ObligationFor(destinationPoints, pointPriceMicros, currencyCode).Value;

        Assert.Equal(new SettlementAmount(currencyCode, expectedMicros, expectedMinor), amount);
    }

    [Theory]
    [InlineData(long.MaxValue, 2)]
    [InlineData(long.MinValue, -1)]
    [InlineData(4_611_686_018_427_387_904, 2)]
    [InlineData(1_000_000_000_000, 10_000_000)]
    public void ObligationFor_MicrosBeyondLong_RefusesWithBalanceOverflow(long destinationPoints, long pointPriceMicros)
    {
        var outcome = Domain.Money.Settlement.ObligationFor(destinationPoints, pointPriceMicros, "USD");

        Assert.Equal(ErrorReason.BalanceOverflow, outcome.Refusal.Reason);
    }

    [Theory]
    [InlineData("usd")]
    [InlineData("XXX")]
    [InlineData("")]
    public void ObligationFor_UnknownCurrency_RefusesWithValidationFailed(string currencyCode)
    {
        var refusal = Domain.Money.Settlement.ObligationFor(1, 12_500, currencyCode).Refusal;

        Assert.Equal(ErrorReason.ValidationFailed, refusal.Reason);
        Assert.Equal(Domain.Money.Settlement.CurrencyField, Assert.Single(refusal.Violations).Field);
    }
}
