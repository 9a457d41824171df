using System.Diagnostics;

namespace PartnerExchange.Bench.Target;

/// <summary>
/// The server's CPU time over a measured window, per call. Unlike calls per second it hardly moves when
/// other processes compete for the cores (the load generator, a build), so it is the figure to compare
/// between two versions of the server on a busy machine. Without a process id it reports nothing.
/// </summary>
internal sealed class ServerCpu
{
    private readonly int? _processId;
    private readonly Task<TimeSpan?> _atMeasureStart;

    private ServerCpu(int? processId, long measureStart)
    {
        _processId = processId;
        _atMeasureStart = processId is null ? Task.FromResult<TimeSpan?>(null) : ReadAtAsync(measureStart);
    }

    /// <summary>Starts following the server's CPU time from <paramref name="measureStart"/> (a <see cref="Stopwatch"/> timestamp).</summary>
    public static ServerCpu From(int? processId, long measureStart) => new(processId, measureStart);

    /// <summary>Server CPU time since the measured window started, in µs per call, or null when unknown.</summary>
    public async Task<double?> MicrosecondsPerCallAsync(long calls)
    {
        var start = await _atMeasureStart.ConfigureAwait(false);
        if (start is null || _processId is not { } id || ReadCpu(id) is not { } end || calls <= 0)
        {
            return null;
        }
        return Math.Round((end - start.Value).TotalMicroseconds / calls, 1);
    }

    private async Task<TimeSpan?> ReadAtAsync(long measureStart)
    {
        var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), measureStart);
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait).ConfigureAwait(false);
        }
        return ReadCpu(_processId!.Value);
    }

    /// <summary>User plus system CPU time of the process, or null when it is gone.</summary>
    private static TimeSpan? ReadCpu(int processId)
    {
        try
        {
            using var process = Process.GetProcessById(processId);
            return process.TotalProcessorTime;
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
        {
            return null;
        }
    }
}
