using System.Globalization;

namespace PartnerExchange.Bench.Target;

/// <summary>
/// Samples a process's resident set size (VmRSS in /proc/PID/status) while a measurement runs and keeps the
/// largest value. Without a process id (a server given by address) it reports nothing.
/// </summary>
internal sealed class ServerMemory : IAsyncDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);

    private readonly int? _processId;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _sampling;
    private long _maxRssBytes;

    private ServerMemory(int? processId)
    {
        _processId = processId;
        _sampling = processId is null ? Task.CompletedTask : SampleAsync(_stop.Token);
    }

    public static ServerMemory StartSampling(int? processId) => new(processId);

    /// <summary>Stops sampling and returns the largest RSS seen, in bytes, or null when nothing could be read.</summary>
    public async Task<long?> StopAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _sampling.ConfigureAwait(false);
        Sample();
        return _maxRssBytes > 0 ? _maxRssBytes : null;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _stop.Dispose();
    }

    /// <summary>VmRSS of <paramref name="processId"/> in bytes, or null when the process or the file is gone.</summary>
    public static long? ReadRssBytes(int processId)
    {
        try
        {
            var line = File.ReadLines($"/proc/{processId}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            var kilobytes = line?.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1];
            return kilobytes is null ? null : long.Parse(kilobytes, CultureInfo.InvariantCulture) * 1024;
        }
        catch (IOException)
        {
            return null;
        }
    }

    private async Task SampleAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(Interval);
        try
        {
            do
            {
                Sample();
            }
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException)
        {
            // Stopped: the measurement is over.
        }
    }

    private void Sample()
    {
        if (_processId is { } id && ReadRssBytes(id) is { } rss && rss > Interlocked.Read(ref _maxRssBytes))
        {
            Interlocked.Exchange(ref _maxRssBytes, rss);
        }
    }
}
