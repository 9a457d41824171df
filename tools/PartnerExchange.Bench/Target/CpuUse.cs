using System.Diagnostics;
using System.Globalization;

namespace PartnerExchange.Bench.Target;

/// <summary>
/// CPU use over a measured window, per call, for each process that shares the cores: the server (and, inside it,
/// the ledger's two threads: its writer and its checkpointer, as the server's metrics endpoint reports them), this
/// load generator and Redis, and the whole machine.
/// The server's CPU time per call hardly moves when other processes compete for the cores, so it is the figure to
/// compare between two versions of the server on a busy machine. The whole machine's CPU per call is the budget: a scenario can make at most
/// (cores ÷ its CPU per call) calls a second on this machine, however its work is spread over threads.
/// Each figure is null where it cannot be read (a server given by address; no /proc).
/// </summary>
internal sealed class CpuUse
{
    private const string MachineStatPath = "/proc/stat";

    private readonly TargetProcesses _processes;
    private readonly Task<Sample> _atMeasureStart;

    private CpuUse(TargetProcesses processes, long measureStart)
    {
        _processes = processes;
        _atMeasureStart = ReadAtAsync(measureStart);
    }

    /// <summary>Starts following CPU use from <paramref name="measureStart"/> (a <see cref="Stopwatch"/> timestamp).</summary>
    public static CpuUse From(TargetProcesses processes, long measureStart) => new(processes, measureStart);

    /// <summary>Since the measured window started: CPU time per call of each process, and the machine's busy share.</summary>
    public async Task<CpuPerCall> SinceStartAsync(long calls)
    {
        var start = await _atMeasureStart.ConfigureAwait(false);
        var end = await ReadAsync().ConfigureAwait(false);
        double? PerCall(TimeSpan? from, TimeSpan? to) =>
            from is { } a && to is { } b && calls > 0 ? Math.Round((b - a).TotalMicroseconds / calls, 1) : null;
        var writer = PerCall(start.LedgerThreads.Writer, end.LedgerThreads.Writer);
        var checkpointer = PerCall(start.LedgerThreads.Checkpointer, end.LedgerThreads.Checkpointer);
        double? busyShare = start.Machine is { } m0 && end.Machine is { } m1 && m1.Total > m0.Total
            ? (double)(m1.Busy - m0.Busy) / (m1.Total - m0.Total)
            : null;
        var wallMicroseconds = Stopwatch.GetElapsedTime(start.Timestamp, end.Timestamp).TotalMicroseconds;
        double? allProcesses = busyShare is { } share && end.Machine is { } machine && calls > 0
            ? Math.Round(share * machine.Cores * wallMicroseconds / calls, 1)
            : null;
        return new CpuPerCall(PerCall(start.Server, end.Server), writer, checkpointer, PerCall(start.Generator, end.Generator),
            PerCall(start.Redis, end.Redis), allProcesses, busyShare is { } b ? Math.Round(100 * b, 1) : null);
    }

    private async Task<Sample> ReadAtAsync(long measureStart)
    {
        var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), measureStart);
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait).ConfigureAwait(false);
        }
        return await ReadAsync().ConfigureAwait(false);
    }

    private async Task<Sample> ReadAsync()
    {
        // The scrape first: the processes' and the machine's figures are read right after it, at the same moment.
        var ledgerThreads = await LedgerThreadCpu.ReadAsync(_processes.ServerMetrics).ConfigureAwait(false);
        return new Sample(
            Stopwatch.GetTimestamp(),
            ProcessorTime(_processes.Server),
            ledgerThreads,
            ProcessorTime(Environment.ProcessId),
            ProcessorTime(_processes.Redis),
            ReadMachine());
    }

    /// <summary>User plus system CPU time of a process, or null when there is none or it is gone.</summary>
    private static TimeSpan? ProcessorTime(int? processId)
    {
        if (processId is not { } id)
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
    /// user). Idle and iowait are the idle ticks; the rest are busy. The cores are its per-core lines (cpu0, cpu1…),
    /// which may be more than this process may use.
    /// </summary>
    private static MachineTicks? ReadMachine()
    {
        try
        {
            var lines = File.ReadAllLines(MachineStatPath);
            var fields = lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 9 || fields[0] != "cpu")
            {
                return null;
            }
            var ticks = fields[1..9].Select(f => long.Parse(f, CultureInfo.InvariantCulture)).ToArray();
            var idle = ticks[3] + ticks[4];
            var total = ticks.Sum();
            var cores = lines.Count(l => l.Length > 3 && l.StartsWith("cpu", StringComparison.Ordinal) && char.IsAsciiDigit(l[3]));
            return new MachineTicks(total - idle, total, cores);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or OverflowException)
        {
            return null;
        }
    }

    private readonly record struct MachineTicks(long Busy, long Total, int Cores);

    private sealed record Sample(long Timestamp, TimeSpan? Server, LedgerThreadTimes LedgerThreads, TimeSpan? Generator, TimeSpan? Redis, MachineTicks? Machine);
}

/// <summary>The processes the benchmark started, and the started server's metrics endpoint (null when the server was given by address).</summary>
internal sealed record TargetProcesses(int? Server, int? Redis, Uri? ServerMetrics);

/// <summary>
/// CPU time per call over a measured window, in µs: the server's, the parts of it on the ledger writer's and the ledger
/// checkpointer's threads, the load generator's and Redis's, and every process's on the machine together; and the
/// machine's busy share in percent.
/// </summary>
internal sealed record CpuPerCall(
    double? ServerMicros, double? LedgerWriterMicros, double? LedgerCheckpointerMicros, double? GeneratorMicros, double? RedisMicros,
    double? AllProcessesMicros, double? MachineBusyPercent);
