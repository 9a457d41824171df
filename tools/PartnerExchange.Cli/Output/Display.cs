using System.Globalization;
using System.Text;
using Google.Protobuf.WellKnownTypes;
using PartnerExchange.Domain.Money;

namespace PartnerExchange.Cli.Output;

/// <summary>How values look in tables: exact decimals from integers, UTC times, enum names as in the protos.</summary>
internal static class Display
{
    /// <summary>An amount in minor units as a decimal with its currency, e.g. 4800 USD → "48.00 USD".</summary>
    public static string Minor(long amountMinor, string currencyCode)
    {
        if (!Currencies.TryGetMinorUnitExponent(currencyCode, out var exponent))
        {
            return $"{amountMinor.ToString(CultureInfo.InvariantCulture)} minor {currencyCode}".TrimEnd();
        }
        return $"{Scaled(amountMinor, exponent, trimZeros: false)} {currencyCode}";
    }

    /// <summary>Micro-units as a decimal of the major unit, e.g. 12500 → "0.0125".</summary>
    public static string Micros(long micros) => Scaled(micros, 6, trimZeros: true);

    /// <summary>The width a report keeps within, so it reads in a 120-column terminal or log viewer.</summary>
    public const int ReportWidth = 120;

    /// <summary>Items joined with ", " on lines of at most <paramref name="width"/> characters (an item longer than that alone).</summary>
    public static string WrapList(IEnumerable<string> items, int width)
    {
        var text = new StringBuilder();
        var lineLength = 0;
        foreach (var item in items)
        {
            if (lineLength > 0 && lineLength + 2 + item.Length + 1 > width)
            {
                text.Append(",\n");
                lineLength = 0;
            }
            else if (lineLength > 0)
            {
                text.Append(", ");
                lineLength += 2;
            }
            text.Append(item);
            lineLength += item.Length;
        }
        return text.ToString();
    }

    /// <summary>A whole number with thousands separators, e.g. 1234567 → "1,234,567".</summary>
    public static string Count(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>A change of a balance with its sign always shown, e.g. 250 → "+250", -1500 → "-1,500".</summary>
    public static string SignedCount(long value) => value > 0 ? $"+{Count(value)}" : Count(value);

    /// <summary>A moment in UTC to the second (with fractions when there are any), or "-" when unset.</summary>
    public static string Time(Timestamp? timestamp) =>
        timestamp is null ? "-" : timestamp.ToDateTime().ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture);

    /// <summary>An enum value as its proto name without the type prefix: CardIssuer → "CARD_ISSUER".</summary>
    public static string Name<TEnum>(TEnum value)
        where TEnum : struct, System.Enum => UpperSnake(value.ToString());

    /// <summary>PascalCase to UPPER_SNAKE_CASE: FailedPrecondition → "FAILED_PRECONDITION".</summary>
    public static string UpperSnake(string pascal)
    {
        var builder = new StringBuilder(pascal.Length + 8);
        for (var i = 0; i < pascal.Length; i++)
        {
            if (i > 0 && char.IsUpper(pascal[i]) && char.IsLower(pascal[i - 1]))
            {
                builder.Append('_');
            }
            builder.Append(char.ToUpperInvariant(pascal[i]));
        }
        return builder.ToString();
    }

    private static string Scaled(long units, int exponent, bool trimZeros)
    {
        if (exponent == 0)
        {
            return units.ToString(CultureInfo.InvariantCulture);
        }
        var sign = units < 0 ? "-" : "";
        // Through decimal's integer digits, not long negation, so long.MinValue formats too.
        var digits = Math.Abs((decimal)units).ToString(CultureInfo.InvariantCulture).PadLeft(exponent + 1, '0');
        var whole = digits[..^exponent];
        var fraction = digits[^exponent..];
        if (trimZeros)
        {
            fraction = fraction.TrimEnd('0');
        }
        return fraction.Length == 0 ? $"{sign}{whole}" : $"{sign}{whole}.{fraction}";
    }
}
