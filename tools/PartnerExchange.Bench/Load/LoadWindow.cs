using System.Diagnostics;

namespace PartnerExchange.Bench.Load;

/// <summary>One measurement's time line in <see cref="Stopwatch"/> ticks: warm-up from Start, measured from MeasureStart to End.</summary>
internal readonly record struct LoadWindow(long Start, long MeasureStart, long End)
{
    public static LoadWindow StartingNow(TimeSpan warmup, TimeSpan duration)
    {
        var start = Stopwatch.GetTimestamp();
        var measureStart = start + Ticks(warmup);
        return new LoadWindow(start, measureStart, measureStart + Ticks(duration));
    }

    private static long Ticks(TimeSpan span) => (long)(span.TotalSeconds * Stopwatch.Frequency);
}
