namespace PartnerExchange.Cli.Tests;

public sealed class ValueParserTests
{
    [Theory]
    [InlineData("123.45", 2, 12345)]
    [InlineData("123.4", 2, 12340)]
    [InlineData("123", 2, 12300)]
    [InlineData("0.01", 2, 1)]
    [InlineData("1500", 0, 1500)]
    [InlineData("1.234", 3, 1234)]
    [InlineData("0.0125", 6, 12500)]
    [InlineData("92233720368547758.07", 2, long.MaxValue)]
    public void Accepts_ExactAmounts(string text, int exponent, long expected) =>
        Assert.Equal(expected, ValueParsers.ToScaledInteger(text, exponent, "--amount"));

    [Theory]
    [InlineData("123.456", 2)]
    [InlineData("1.5", 0)]
    [InlineData("-1", 2)]
    [InlineData("1e3", 2)]
    [InlineData("1,000.00", 2)]
    [InlineData("1.", 2)]
    [InlineData(".5", 2)]
    [InlineData("", 2)]
    [InlineData("92233720368547758.08", 2)]
    public void Rejects_AmountsThatAreNotExact(string text, int exponent) =>
        Assert.Throws<FormatException>(() => ValueParsers.ToScaledInteger(text, exponent, "--amount"));

    [Theory]
    [InlineData("30s", 30_000)]
    [InlineData("500ms", 500)]
    [InlineData("2m", 120_000)]
    [InlineData("00:00:05", 5_000)]
    public void Accepts_Durations(string text, double milliseconds) =>
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), ValueParsers.ParseDuration(text, positive: true));

    [Theory]
    [InlineData("0s")]
    [InlineData("soon")]
    [InlineData("-5s")]
    public void Rejects_Durations(string text) =>
        Assert.Throws<FormatException>(() => ValueParsers.ParseDuration(text, positive: true));

    // The benchmark's --warmup may be zero; nothing may be negative.
    [Theory]
    [InlineData("0s", true)]
    [InlineData("00:00:00", true)]
    [InlineData("-5s", false)]
    [InlineData("-00:00:05", false)]
    public void ParseDuration_ZeroAllowed_AcceptsZeroOnly(string text, bool accepted)
    {
        if (accepted)
        {
            Assert.Equal(TimeSpan.Zero, ValueParsers.ParseDuration(text, positive: false));
        }
        else
        {
            Assert.Throws<FormatException>(() => ValueParsers.ParseDuration(text, positive: false));
        }
    }

    [Theory]
    [InlineData("2026-11-01T00:00:00Z", "2026-11-01T00:00:00Z")]
    [InlineData("2026-11-01", "2026-11-01T00:00:00Z")]
    [InlineData("2026-11-01T02:00:00+02:00", "2026-11-01T00:00:00Z")]
    public void Accepts_TimesAsUtc(string text, string expected) =>
        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), ValueParsers.ParseTimestamp(text).ToDateTimeOffset());

    [Theory]
    [InlineData("now", "2026-12-07T21:30:15Z")]
    [InlineData("NOW", "2026-12-07T21:30:15Z")]
    [InlineData("today", "2026-12-07T00:00:00Z")]
    [InlineData("yesterday", "2026-12-06T00:00:00Z")]
    [InlineData("-1d", "2026-12-06T21:30:15Z")]
    [InlineData("-6h", "2026-12-07T15:30:15Z")]
    [InlineData("+30m", "2026-12-07T22:00:15Z")]
    [InlineData("2026-11-01", "2026-11-01T00:00:00Z")]
    public void Accepts_RelativeTimes(string text, string expected)
    {
        var now = DateTimeOffset.Parse("2026-12-07T21:30:15Z", System.Globalization.CultureInfo.InvariantCulture);

        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), ValueParsers.ParseTimestamp(text, now).ToDateTimeOffset());
    }

    [Theory]
    [InlineData("soon")]
    [InlineData("-1w")]
    [InlineData("-d")]
    [InlineData("1d")]
    public void Rejects_Times(string text) =>
        Assert.Throws<FormatException>(() => ValueParsers.ParseTimestamp(text));

    [Theory]
    [InlineData("1000:800", 1000, 800)]
    [InlineData("1:1", 1, 1)]
    public void Accepts_Pairs(string text, long first, long second) =>
        Assert.Equal((first, second), ValueParsers.ParsePair(text));

    [Theory]
    [InlineData("1000")]
    [InlineData("0:800")]
    [InlineData("1000:-1")]
    [InlineData("a:b")]
    public void Rejects_Pairs(string text) =>
        Assert.Throws<FormatException>(() => ValueParsers.ParsePair(text));
}
