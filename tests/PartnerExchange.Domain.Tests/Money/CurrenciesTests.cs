using PartnerExchange.Domain.Money;

namespace PartnerExchange.Domain.Tests.Money;

public class CurrenciesTests
{
    [Theory]
    [InlineData("USD", 2)]
    [InlineData("EUR", 2)]
    [InlineData("GBP", 2)]
    [InlineData("CHF", 2)]
    [InlineData("CAD", 2)]
    [InlineData("AUD", 2)]
    [InlineData("NZD", 2)]
    [InlineData("SGD", 2)]
    [InlineData("HKD", 2)]
    [InlineData("CNY", 2)]
    [InlineData("INR", 2)]
    [InlineData("SEK", 2)]
    [InlineData("NOK", 2)]
    [InlineData("DKK", 2)]
    [InlineData("PLN", 2)]
    [InlineData("CZK", 2)]
    [InlineData("HUF", 2)]
    [InlineData("MXN", 2)]
    [InlineData("BRL", 2)]
    [InlineData("ZAR", 2)]
    [InlineData("AED", 2)]
    [InlineData("SAR", 2)]
    [InlineData("IDR", 2)]
    [InlineData("THB", 2)]
    [InlineData("MYR", 2)]
    [InlineData("PHP", 2)]
    [InlineData("TRY", 2)]
    [InlineData("ILS", 2)]
    [InlineData("JPY", 0)]
    [InlineData("KRW", 0)]
    [InlineData("ISK", 0)]
    [InlineData("CLP", 0)]
    [InlineData("VND", 0)]
    [InlineData("KWD", 3)]
    [InlineData("BHD", 3)]
    [InlineData("OMR", 3)]
    [InlineData("JOD", 3)]
    [InlineData("TND", 3)]
    public void TryGetMinorUnitExponent_Accepts_KnownCurrency(string isoCode, int expected)
    {
        Assert.True(Currencies.TryGetMinorUnitExponent(isoCode, out var exponent));
        Assert.Equal(expected, exponent);
        Assert.True(Currencies.IsKnown(isoCode));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("usd")]
    [InlineData("Usd")]
    [InlineData("XXX")]
    [InlineData("USDT")]
    [InlineData(" USD")]
    public void TryGetMinorUnitExponent_Rejects_UnknownCode(string? isoCode)
    {
        Assert.False(Currencies.TryGetMinorUnitExponent(isoCode, out _));
        Assert.False(Currencies.IsKnown(isoCode));
    }

    [Fact]
    public void Codes_AreThreeUpperCaseLetters_WithExponentUpToThree()
    {
        Assert.All(Currencies.Codes, code =>
        {
            Assert.Matches("^[A-Z]{3}$", code);
            Assert.True(Currencies.TryGetMinorUnitExponent(code, out var exponent));
            Assert.InRange(exponent, 0, 3);
        });
    }
}
