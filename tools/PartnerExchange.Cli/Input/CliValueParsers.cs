using System.Globalization;
using Google.Protobuf.WellKnownTypes;

namespace PartnerExchange.Tools;

/// <summary>The parsers only pxctl needs; those it shares with the benchmark are in tools/Shared/ValueParsers.cs.</summary>
internal static partial class ValueParsers
{
    /// <summary>
    /// A moment in UTC: 2026-11-01T00:00:00Z, a time with an offset (converted to UTC), or a date alone (midnight
    /// UTC). A time without an offset is taken as UTC, as every time in settlement is. Also relative to the
    /// machine's clock: <c>now</c>, <c>today</c> and <c>yesterday</c> (midnight UTC), or now plus or minus a count of
    /// days, hours or minutes (<c>-1d</c>, <c>-6h</c>, <c>+30m</c>).
    /// </summary>
    public static Timestamp ParseTimestamp(string text) => ParseTimestamp(text, DateTimeOffset.UtcNow);

    /// <summary>A moment as <see cref="ParseTimestamp(string)"/> reads it, relative times counted from <paramref name="now"/>.</summary>
    public static Timestamp ParseTimestamp(string text, DateTimeOffset now)
    {
        const DateTimeStyles styles = DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal;
        var value = text.Trim();
        if (RelativeMoment(value, now.ToUniversalTime()) is { } relative)
        {
            return Timestamp.FromDateTimeOffset(relative);
        }
        if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, styles, out var moment))
        {
            return Timestamp.FromDateTimeOffset(moment.ToUniversalTime());
        }
        throw new FormatException(
            $"'{text}' is not a time; use ISO 8601 in UTC (e.g. 2026-11-01T00:00:00Z), now, today, yesterday, or e.g. -1d, -6h, +30m.");
    }

    private static DateTimeOffset? RelativeMoment(string value, DateTimeOffset now)
    {
        var midnight = new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero);
        switch (value.ToLowerInvariant())
        {
            case "now":
                return now;
            case "today":
                return midnight;
            case "yesterday":
                return midnight.AddDays(-1);
        }
        if (value.Length < 3 || value[0] is not ('-' or '+')
            || !int.TryParse(value[1..^1], NumberStyles.None, CultureInfo.InvariantCulture, out var count))
        {
            return null;
        }
        var sign = value[0] == '-' ? -1 : 1;
        return value[^1] switch
        {
            'd' => now.AddDays(sign * count),
            'h' => now.AddHours(sign * count),
            'm' => now.AddMinutes(sign * count),
            _ => null,
        };
    }

    /// <summary>Two positive integers written A:B, e.g. an exchange ratio 1000:800 or a rate limit 200:400.</summary>
    public static (long First, long Second) ParsePair(string text)
    {
        var parts = text.Split(':');
        if (parts.Length == 2
            && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var first)
            && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var second)
            && first > 0 && second > 0)
        {
            return (first, second);
        }
        throw new FormatException($"'{text}' is not two positive whole numbers written A:B, e.g. 1000:800.");
    }

    /// <summary>
    /// Converts a non-negative decimal written with a point ("123.45") to an integer count of 10^-exponent units
    /// (12345 for exponent 2), exactly: no floating point, no rounding. More decimals than the exponent allows is
    /// refused rather than rounded, because a rounded payment or price is a wrong one.
    /// </summary>
    /// <param name="text">The amount as typed.</param>
    /// <param name="exponent">Decimals the unit allows: 2 for cents, 0 for yen, 6 for micro-units.</param>
    /// <param name="what">What the amount is, for the error message (e.g. "--amount for USD").</param>
    public static long ToScaledInteger(string text, int exponent, string what)
    {
        var value = text.Trim();
        var point = value.IndexOf('.', StringComparison.Ordinal);
        var whole = point < 0 ? value : value[..point];
        var fraction = point < 0 ? "" : value[(point + 1)..];
        if (whole.Length == 0 || !whole.All(char.IsAsciiDigit) || !fraction.All(char.IsAsciiDigit) || (point >= 0 && fraction.Length == 0))
        {
            throw new FormatException($"{what}: '{text}' is not an amount; write it like 123.45 (digits and one '.').");
        }
        if (fraction.Length > exponent)
        {
            throw new FormatException($"{what}: '{text}' has {fraction.Length} decimals; at most {exponent} are allowed.");
        }
        try
        {
            var scale = Pow10(exponent);
            var units = checked(long.Parse(whole, NumberStyles.None, CultureInfo.InvariantCulture) * scale);
            var fractionUnits = fraction.Length == 0
                ? 0
                : long.Parse(fraction.PadRight(exponent, '0'), NumberStyles.None, CultureInfo.InvariantCulture);
            return checked(units + fractionUnits);
        }
        catch (OverflowException)
        {
            throw new FormatException($"{what}: '{text}' is too large.");
        }
    }

    private static long Pow10(int exponent)
    {
        var result = 1L;
        for (var i = 0; i < exponent; i++)
        {
            result = checked(result * 10);
        }
        return result;
    }
}
