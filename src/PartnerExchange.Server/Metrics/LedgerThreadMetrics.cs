using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using PartnerExchange.Ledger.Writing;

namespace PartnerExchange.Server.Metrics;

/// <summary>
/// CPU time of the ledger's own threads, its writer and its WAL checkpointer, as a counter on the ledger's meter
/// (<c>partnerexchange.ledger.thread.cpu_time</c>, seconds, by <c>thread</c>). The writer is the one thread every
/// write waits for, so its CPU time per committed request says how far the exchange can go on this machine;
/// the benchmark reads it here. Read from Linux's /proc at each scrape; elsewhere the counter reports nothing.
/// </summary>
internal sealed class LedgerThreadMetrics
{
    // The names the ledger gives its threads (LedgerWriter, WalCheckpointer). Linux keeps the first 15 bytes of a
    // thread's name as its comm, which is where they are found.
    private static readonly (string Label, string Comm)[] Threads = [("writer", "Ledger writer"), ("checkpointer", "Ledger checkpoi")];

    private const string TasksPath = "/proc/self/task";

    /// <summary>Creates the counter on the ledger's meter of <paramref name="meters"/>.</summary>
    public LedgerThreadMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(WriterMetrics.MeterName);
        meter.CreateObservableCounter("partnerexchange.ledger.thread.cpu_time", Observe, "s",
            "User plus system CPU time of the ledger's threads, by thread: writer (the single writer that commits every " +
            "write) and checkpointer (the WAL checkpoints).");
    }

    private static IEnumerable<Measurement<double>> Observe()
    {
        var byThread = ThreadIdsByLabel();
        if (byThread.Count == 0)
        {
            return [];
        }
        var seconds = new Dictionary<string, double>(StringComparer.Ordinal);
        using var process = Process.GetCurrentProcess();
        foreach (ProcessThread thread in process.Threads)
        {
            if (byThread.TryGetValue(thread.Id, out var label))
            {
                seconds[label] = seconds.GetValueOrDefault(label) + CpuSeconds(thread);
            }
        }
        return seconds.Select(s => new Measurement<double>(s.Value, new KeyValuePair<string, object?>("thread", s.Key)));
    }

    /// <summary>The ledger's threads by their OS ids; empty on a platform without /proc.</summary>
    private static Dictionary<int, string> ThreadIdsByLabel()
    {
        var found = new Dictionary<int, string>();
        try
        {
            foreach (var task in Directory.EnumerateDirectories(TasksPath))
            {
                var comm = ReadComm(task);
                foreach (var (label, name) in Threads)
                {
                    if (comm == name && int.TryParse(Path.GetFileName(task), NumberStyles.None, CultureInfo.InvariantCulture, out var id))
                    {
                        found[id] = label;
                    }
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // No /proc: no figures.
        }
        return found;
    }

    private static string? ReadComm(string task)
    {
        try
        {
            return File.ReadAllText(Path.Combine(task, "comm")).TrimEnd('\n');
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The thread ended between listing and reading.
            return null;
        }
    }

    private static double CpuSeconds(ProcessThread thread)
    {
        try
        {
            return thread.TotalProcessorTime.TotalSeconds;
        }
        catch (Exception ex) when (ex is InvalidOperationException or NotSupportedException)
        {
            // The thread ended meanwhile.
            return 0;
        }
    }
}
