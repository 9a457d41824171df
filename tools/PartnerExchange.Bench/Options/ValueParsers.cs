using System.CommandLine.Parsing;
using System.Globalization;

namespace PartnerExchange.Bench.Options;

/// <summary>Parsers for option values. Each throws <see cref="FormatException"/> saying what is expected.</summary>
internal static class ValueParsers
{
    /// <summary>Runs <paramref name="parse"/> on an option's last token and reports a failure as a parse error.</summary>
    public static T ParseWith<T>(ArgumentResult result, Func<string, T> parse)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
        try
        {
            return parse(text);
        }
        catch (Exception ex) when (ex is FormatException or OverflowException)
        {
            result.AddError($"{result.Argument.Name}: {ex.Message}");
            return default!;
        }
    }

    /// <summary>A duration of zero or more: 10s, 500ms, 2m, or a TimeSpan such as 00:00:10.</summary>
    public static TimeSpan ParseDuration(string text)
    {
        var value = text.Trim();
        (string Suffix, Func<double, TimeSpan> Make)[] units =
        [
            ("ms", TimeSpan.FromMilliseconds), ("s", TimeSpan.FromSeconds), ("m", TimeSpan.FromMinutes),
        ];
        foreach (var (suffix, make) in units)
        {
            if (value.EndsWith(suffix, StringComparison.Ordinal)
                && double.TryParse(value[..^suffix.Length], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
            {
                return make(number);
            }
        }
        return TimeSpan.TryParse(value, CultureInfo.InvariantCulture, out var span) && span >= TimeSpan.Zero
            ? span
            : throw new FormatException($"'{text}' is not a duration; use e.g. 10s, 500ms, 2m or 00:00:10.");
    }

    /// <summary>A comma-separated list, e.g. <c>1,4,16,64</c>; <c>none</c> for an empty list.</summary>
    public static IReadOnlyList<T> ParseList<T>(string text, Func<string, T> parseItem) =>
        text.Trim() is "none" or ""
            ? []
            : text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(parseItem).ToArray();

    /// <summary>A caller count between 1 and 4,096.</summary>
    public static int ParseConcurrency(string text)
    {
        var count = int.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture);
        return count is >= 1 and <= 4096
            ? count
            : throw new FormatException($"'{text}': a number of callers must be between 1 and 4,096.");
    }

    /// <summary>A loopback gRPC address such as http://127.0.0.1:5080: the benchmark never loads another machine.</summary>
    public static Uri ParseLoopbackAddress(string text)
    {
        if (!Uri.TryCreate(text, UriKind.Absolute, out var address) || address.Scheme != Uri.UriSchemeHttp)
        {
            throw new FormatException($"'{text}' is not an http:// address such as http://127.0.0.1:5080.");
        }
        return address.IsLoopback
            ? address
            : throw new FormatException($"'{text}' is not a loopback address; the benchmark only calls this machine.");
    }
}
