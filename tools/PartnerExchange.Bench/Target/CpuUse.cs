using System.Diagnostics;
using System.Globalization;

namespace PartnerExchange.Bench.Target;

/// <summary>
/// CPU use over a measured window. The server's CPU time per call hardly moves when other processes compete for
/// the cores (the load generator, a build), so it is the figure to compare between two versions of the server on a
/// busy machine. The machine's busy share (all cores, every process: server, generator, Redis) says how close the
/// window came to what the machine can do: latency at a rate that keeps it nearly busy is queueing, not the
/// exchange's own time. Either is null where it cannot be read (no server process id; no /proc/stat).
/// </summary>
internal sealed class CpuUse
{
    private const string MachineStatPath = "/proc/stat";

    private readonly int? _processId;
    private readonly Task<(TimeSpan? Server, MachineTicks? Machine)> _atMeasureStart;

    private CpuUse(int? processId, long measureStart)
    {
        _processId = processId;
        _atMeasureStart = ReadAtAsync(measureStart);
    }

    /// <summary>Starts following CPU use from <paramref name="measureStart"/> (a <see cref="Stopwatch"/> timestamp).</summary>
    public static CpuUse From(int? processId, long measureStart) => new(processId, measureStart);

    /// <summary>
    /// Since the measured window started: the server's CPU time in µs per call, and the machine's busy share of all its
    /// cores in percent.
    /// </summary>
    public async Task<(double? ServerMicrosecondsPerCall, double? MachineBusyPercent)> SinceStartAsync(long calls)
    {
        var (serverStart, machineStart) = await _atMeasureStart.ConfigureAwait(false);
        var (serverEnd, machineEnd) = (ReadServer(), ReadMachine());
        double? perCall = serverStart is { } s && serverEnd is { } e && calls > 0 ? Math.Round((e - s).TotalMicroseconds / calls, 1) : null;
        double? busy = machineStart is { } m0 && machineEnd is { } m1 && m1.Total > m0.Total
            ? Math.Round(100.0 * (m1.Busy - m0.Busy) / (m1.Total - m0.Total), 1)
            : null;
        return (perCall, busy);
    }

    private async Task<(TimeSpan?, MachineTicks?)> ReadAtAsync(long measureStart)
    {
        var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), measureStart);
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait).ConfigureAwait(false);
        }
        return (ReadServer(), ReadMachine());
    }

    /// <summary>User plus system CPU time of the server, or null when there is none or it is gone.</summary>
    private TimeSpan? ReadServer()
    {
        if (_processId is not { } id)
        {
            return null;
        }
        try
        {
            using var process = Process.GetProcessById(id);
            return process.TotalProcessorTime;
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>
    /// The first line of /proc/stat, all cores: user nice system idle iowait irq softirq steal (guest time is already in
    /// user). Idle and iowait are the idle ticks; the rest are busy.
    /// </summary>
    private static MachineTicks? ReadMachine()
    {
        try
        {
            var fields = File.ReadLines(MachineStatPath).First().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 9 || fields[0] != "cpu")
            {
                return null;
            }
            var ticks = fields[1..9].Select(f => long.Parse(f, CultureInfo.InvariantCulture)).ToArray();
            var idle = ticks[3] + ticks[4];
            var total = ticks.Sum();
            return new MachineTicks(total - idle, total);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or OverflowException)
        {
            return null;
        }
    }

    private readonly record struct MachineTicks(long Busy, long Total);
}
