using System.Globalization;

namespace PartnerExchange.Tools;

/// <summary>The parsers only the benchmark needs; those it shares with pxctl are in tools/Shared/ValueParsers.cs.</summary>
internal static partial class ValueParsers
{
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
