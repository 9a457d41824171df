using PartnerExchange.Domain.Rates;

namespace PartnerExchange.Domain.Tests.Rates;

public class ExchangeRateTermsTests
{
    [Theory]
    [InlineData(1000, 800, 1000, 100_000, 500, 0, 0, null, null)]
    [InlineData(1, 1, 1, 1, 1, 0, 0, null, null)]
    [InlineData(1_000_000_000, 1_000_000_000, 1, 1_000_000_000_000, 1, 1_000_000_000, 100_000, null, null)]
    [InlineData(1000, 800, 1000, 1000, 1000, 10, 2_500, 0L, 3600L)]
    [InlineData(1000, 800, 1000, 2000, 1000, 0, 0, 0L, 1L)]
    [InlineData(3, 1, 3, 9, 3, 0, 0, null, null)]
    public void Validate_Accepts_ValidTerms(
        long fromPoints, long toPoints, long minSource, long maxSource, long increment, long fee, int bonusBps, long? startsIn, long? endsIn)
    {
        var terms = new ExchangeRateTerms(
            fromPoints, toPoints, minSource, maxSource, increment, fee, bonusBps, RateFixtures.At(startsIn), RateFixtures.At(endsIn));

        Assert.Empty(ExchangeRateTerms.Validate(terms));
    }

    [Theory]
    [InlineData(0, 800, 1000, 100_000, 500, 0, 0, null, null, "from_points")]
    [InlineData(1_000_000_001, 800, 1000, 100_000, 500, 0, 0, null, null, "from_points")]
    [InlineData(1000, 0, 1000, 100_000, 500, 0, 0, null, null, "to_points")]
    [InlineData(1000, 1_000_000_001, 1000, 100_000, 500, 0, 0, null, null, "to_points")]
    [InlineData(1000, 800, 0, 100_000, 500, 0, 0, null, null, "min_source_points")]
    [InlineData(1000, 800, 1200, 100_000, 500, 0, 0, null, null, "min_source_points")]
    [InlineData(1000, 1, 500, 100_000, 500, 0, 0, null, null, "min_source_points")]
    [InlineData(1000, 800, 1000, 500, 500, 0, 0, null, null, "max_source_points")]
    [InlineData(1000, 800, 1000, 100_200, 500, 0, 0, null, null, "max_source_points")]
    [InlineData(1, 1, 1, 1_000_000_000_001, 1, 0, 0, null, null, "max_source_points")]
    [InlineData(1000, 800, 1000, 100_000, 0, 0, 0, null, null, "increment_points")]
    [InlineData(1000, 800, 1000, 100_000, -500, 0, 0, null, null, "increment_points")]
    [InlineData(1000, 800, 1000, 100_000, 500, -1, 0, null, null, "member_fee_points")]
    [InlineData(1000, 800, 1000, 100_000, 500, 1_000_000_001, 0, null, null, "member_fee_points")]
    [InlineData(1000, 800, 1000, 100_000, 500, 0, -1, null, null, "bonus_basis_points")]
    [InlineData(1000, 800, 1000, 100_000, 500, 0, 100_001, null, null, "bonus_basis_points")]
    [InlineData(1000, 800, 1000, 100_000, 500, 0, 2_500, 0L, null, "bonus_end_time")]
    [InlineData(1000, 800, 1000, 100_000, 500, 0, 2_500, null, 0L, "bonus_start_time")]
    [InlineData(1000, 800, 1000, 100_000, 500, 0, 2_500, 60L, 60L, "bonus_end_time")]
    [InlineData(1000, 800, 1000, 100_000, 500, 0, 2_500, 60L, 0L, "bonus_end_time")]
    [InlineData(1000, 800, 1000, 100_000, 500, 0, 0, 0L, null, "bonus_end_time")]
    public void Validate_Rejects_InvalidField(
        long fromPoints, long toPoints, long minSource, long maxSource, long increment, long fee, int bonusBps, long? startsIn, long? endsIn, string field)
    {
        var terms = new ExchangeRateTerms(
            fromPoints, toPoints, minSource, maxSource, increment, fee, bonusBps, RateFixtures.At(startsIn), RateFixtures.At(endsIn));

        Assert.Equal(field, Assert.Single(ExchangeRateTerms.Validate(terms)).Field);
    }

    [Fact]
    public void Validate_EverythingWrong_ReportsEveryField()
    {
        var terms = new ExchangeRateTerms(0, 0, 0, -1, 0, -1, -1, RateFixtures.Now, null);

        var fields = ExchangeRateTerms.Validate(terms).Select(v => v.Field).Order(StringComparer.Ordinal);

        string[] expected =
        [
            "bonus_basis_points", "bonus_end_time", "from_points", "increment_points", "max_source_points",
            "member_fee_points", "min_source_points", "to_points",
        ];
        Assert.Equal(expected, fields);
    }
}
