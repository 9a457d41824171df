using System.Globalization;

namespace PartnerExchange.Bench.Target;

/// <summary>CPU time of the ledger's writer and checkpointer threads so far; each null when it cannot be read.</summary>
internal readonly record struct LedgerThreadTimes(TimeSpan? Writer, TimeSpan? Checkpointer);

/// <summary>
/// Reads the ledger's threads' CPU time from the server's Prometheus endpoint
/// (<c>partnerexchange_ledger_thread_cpu_time_seconds_total</c> by <c>thread</c>), as an operator's scraper would.
/// </summary>
internal static class LedgerThreadCpu
{
    private const string Metric = "partnerexchange_ledger_thread_cpu_time_seconds_total";

    // A scrape answers in milliseconds; one that does not only loses these two figures.
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(5) };

    public static async Task<LedgerThreadTimes> ReadAsync(Uri? metricsAddress)
    {
        if (metricsAddress is null)
        {
            return default;
        }
        try
        {
            var text = await Http.GetStringAsync(metricsAddress).ConfigureAwait(false);
            return new LedgerThreadTimes(Seconds(text, "writer"), Seconds(text, "checkpointer"));
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return default;
        }
    }

    /// <summary>The sample of the thread's series (its value is the line's last field), or null without one.</summary>
    private static TimeSpan? Seconds(string text, string thread)
    {
        var label = $"thread=\"{thread}\"";
        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith(Metric + "{", StringComparison.Ordinal) && line.Contains(label, StringComparison.Ordinal)
                && double.TryParse(line[(line.LastIndexOf(' ') + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
            {
                return TimeSpan.FromSeconds(seconds);
            }
        }
        return null;
    }
}
