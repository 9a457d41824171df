using System.Globalization;

namespace PartnerExchange.Bench.Options;

/// <summary>
/// An open-loop arrival rate: a fixed number of calls per second (<c>2000</c>), or a share of the best
/// closed-loop throughput the same scenario reached earlier in the run (<c>50%</c>), which is how the
/// "p99 at half of saturation" target is measured without knowing the saturation point beforehand.
/// </summary>
internal readonly record struct ArrivalRate(double? CallsPerSecond, double? ShareOfSaturation)
{
    public static ArrivalRate Parse(string text)
    {
        var trimmed = text.Trim();
        if (trimmed.EndsWith('%'))
        {
            var percent = double.Parse(trimmed[..^1], NumberStyles.Float, CultureInfo.InvariantCulture);
            return percent is > 0 and <= 1000
                ? new ArrivalRate(null, percent / 100)
                : throw new FormatException($"'{text}': a share of saturation must be between 0% and 1000%.");
        }
        var rate = double.Parse(trimmed, NumberStyles.Float, CultureInfo.InvariantCulture);
        return rate is >= 1 and <= 1_000_000
            ? new ArrivalRate(rate, null)
            : throw new FormatException($"'{text}': a rate must be between 1 and 1,000,000 calls per second.");
    }

    /// <summary>The rate in calls per second, or null when it is a share and the scenario has no closed-loop result.</summary>
    public double? Resolve(double? saturationCallsPerSecond) =>
        CallsPerSecond ?? (saturationCallsPerSecond is { } best ? Math.Max(1, best * ShareOfSaturation!.Value) : null);

    public override string ToString() =>
        CallsPerSecond is { } rate
            ? rate.ToString(CultureInfo.InvariantCulture)
            : (ShareOfSaturation!.Value * 100).ToString(CultureInfo.InvariantCulture) + "%";
}
