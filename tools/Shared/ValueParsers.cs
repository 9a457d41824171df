using System.CommandLine.Parsing;
using System.Globalization;

namespace PartnerExchange.Tools;

/// <summary>
/// Parsers for the values the tools (pxctl, the benchmark) read from their command lines, one copy for both: this
/// file is compiled into each tool, beside the parsers only that tool needs. Each parser throws
/// <see cref="FormatException"/> with a message that says what was wrong and what is expected;
/// <see cref="ParseWith"/> turns it into a parse error.
/// </summary>
internal static partial class ValueParsers
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
            result.AddError(ex.Message);
            return default!;
        }
    }

    /// <summary>
    /// A duration: 30s, 500ms, 2m, 1h, or a TimeSpan such as 00:00:30; zero or more, or with
    /// <paramref name="positive"/> more than zero.
    /// </summary>
    public static TimeSpan ParseDuration(string text, bool positive)
    {
        var value = text.Trim();
        (string Suffix, Func<double, TimeSpan> Make)[] units =
        [
            ("ms", TimeSpan.FromMilliseconds), ("s", TimeSpan.FromSeconds), ("m", TimeSpan.FromMinutes), ("h", TimeSpan.FromHours),
        ];
        TimeSpan? duration = null;
        foreach (var (suffix, make) in units)
        {
            if (value.EndsWith(suffix, StringComparison.Ordinal)
                && double.TryParse(value[..^suffix.Length], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
            {
                duration = make(number);
                break;
            }
        }
        if (duration is null && TimeSpan.TryParse(value, CultureInfo.InvariantCulture, out var span))
        {
            duration = span;
        }
        return duration is { } d && (positive ? d > TimeSpan.Zero : d >= TimeSpan.Zero)
            ? d
            : throw new FormatException(positive
                ? $"'{text}' is not a positive duration; use e.g. 30s, 500ms, 2m or 00:00:30."
                : $"'{text}' is not a duration; use e.g. 10s, 500ms, 2m or 00:00:10.");
    }

    /// <summary>A comma-separated list, e.g. <c>1,4,16,64</c>; <c>none</c> for an empty list.</summary>
    public static IReadOnlyList<T> ParseList<T>(string text, Func<string, T> parseItem) =>
        text.Trim() is "none" or ""
            ? []
            : text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(parseItem).ToArray();
}
