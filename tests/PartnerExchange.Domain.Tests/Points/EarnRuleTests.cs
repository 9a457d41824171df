using PartnerExchange.Domain.Points;

namespace PartnerExchange.Domain.Tests.Points;

public class EarnRuleTests
{
    [Theory]
    [InlineData(1, 100, 100, 1)]
    [InlineData(1, 100, 199, 1)]
    [InlineData(1, 100, 200, 2)]
    [InlineData(1, 100, 99, 0)]
    [InlineData(1, 100, 1, 0)]
    [InlineData(3, 200, 100, 1)]
    [InlineData(3, 200, 200, 3)]
    [InlineData(3, 200, 300, 4)]
    [InlineData(3, 200, 333, 4)]
    [InlineData(1, 1, long.MaxValue, long.MaxValue)]
    [InlineData(1_000_000_000, 1_000_000_000, long.MaxValue, long.MaxValue)]
    public void PointsFor_MatchingCurrency_RoundsDown(long points, long perAmountMinor, long amountMinor, long expected)
    {
        var rule = new EarnRule("USD", points, perAmountMinor);

        Assert.Equal(expected, rule.PointsFor(amountMinor, "USD").Value);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(long.MinValue)]
    public void PointsFor_NonPositiveAmount_RefusesWithValidationFailed(long amountMinor)
    {
        var refusal = new EarnRule("USD", 1, 100).PointsFor(amountMinor, "USD").Refusal;

        Assert.Equal(ErrorReason.ValidationFailed, refusal.Reason);
        Assert.Equal(EarnRule.AmountField, Assert.Single(refusal.Violations).Field);
    }

    [Theory]
    [InlineData("EUR")]
    [InlineData("usd")]
    [InlineData("USD ")]
    [InlineData("")]
    public void PointsFor_OtherCurrency_RefusesWithCurrencyMismatch(string currencyCode)
    {
        var refusal = new EarnRule("USD", 1, 100).PointsFor(100, currencyCode).Refusal;

        Assert.Equal(ErrorReason.CurrencyMismatch, refusal.Reason);
        Assert.Equal("USD", refusal.Metadata["expected_currency"]);
    }

    [Theory]
    [InlineData(2, 1, long.MaxValue)]
    [InlineData(1_000_000_000, 1, 10_000_000_000)]
    public void PointsFor_ResultBeyondLong_RefusesWithBalanceOverflow(long points, long perAmountMinor, long amountMinor)
    {
        var outcome = new EarnRule("USD", points, perAmountMinor).PointsFor(amountMinor, "USD");

        Assert.Equal(ErrorReason.BalanceOverflow, outcome.Refusal.Reason);
    }

    [Theory]
    [InlineData(0, 100)]
    [InlineData(1, 0)]
    public void PointsFor_InvalidRule_Throws(long points, long perAmountMinor)
    {
        Assert.Throws<InvalidOperationException>(() => new EarnRule("USD", points, perAmountMinor).PointsFor(100, "USD"));
    }

    [Theory]
    [InlineData("USD", 1, 100)]
    [InlineData("JPY", 1, 1)]
    [InlineData("KWD", 1_000_000_000, 1_000_000_000)]
    public void Validate_Accepts_ValidRule(string currencyCode, long points, long perAmountMinor)
    {
        Assert.Empty(EarnRule.Validate(new EarnRule(currencyCode, points, perAmountMinor), "earn_rule"));
    }

    [Theory]
    [InlineData("usd", 1, 100, "earn_rule.currency_code")]
    [InlineData("XXX", 1, 100, "earn_rule.currency_code")]
    [InlineData("", 1, 100, "earn_rule.currency_code")]
    [InlineData("USD", 0, 100, "earn_rule.points")]
    [InlineData("USD", 1_000_000_001, 100, "earn_rule.points")]
    [InlineData("USD", 1, 0, "earn_rule.per_amount_minor")]
    [InlineData("USD", 1, -100, "earn_rule.per_amount_minor")]
    [InlineData("USD", 1, 1_000_000_001, "earn_rule.per_amount_minor")]
    public void Validate_Rejects_InvalidField(string currencyCode, long points, long perAmountMinor, string field)
    {
        var violations = EarnRule.Validate(new EarnRule(currencyCode, points, perAmountMinor), "earn_rule");

        Assert.Equal(field, Assert.Single(violations).Field);
    }

    [Fact]
    public void Validate_EmptyPrefix_UsesBareFieldNames()
    {
        var violations = EarnRule.Validate(new EarnRule("XXX", 0, 0), string.Empty);

        Assert.Equal(["currency_code", "points", "per_amount_minor"], violations.Select(v => v.Field));
    }
}
