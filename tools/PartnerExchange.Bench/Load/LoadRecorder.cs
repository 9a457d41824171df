using System.Collections.Concurrent;
using System.Diagnostics;
using HdrHistogram;

namespace PartnerExchange.Bench.Load;

/// <summary>
/// Records the calls of one measurement: latency in microseconds in an HdrHistogram, and outcomes by kind,
/// code and reason. Calls from before the measured window (warm-up) are not recorded. Safe for many callers.
/// </summary>
internal sealed class LoadRecorder
{
    // Two minutes: above any deadline the benchmark allows, so no latency is ever clipped.
    private const long HighestLatencyMicroseconds = 120_000_000;

    private readonly LongConcurrentHistogram _latencyMicroseconds = new(1, HighestLatencyMicroseconds, 3);
    private readonly LongConcurrentHistogram _sendDelayMicroseconds = new(1, HighestLatencyMicroseconds, 3);
    private readonly ConcurrentDictionary<CallOutcome, long> _failures = new();
    private readonly long _measureStart;
    private long _okCalls;
    private long _replaysMatched;
    private long _lastCompletion;

    public LoadRecorder(long measureStart)
    {
        _measureStart = measureStart;
        _lastCompletion = measureStart;
    }

    /// <summary>Records a call that started (closed loop) or was due (open loop) at <paramref name="from"/> and ended at <paramref name="end"/>.</summary>
    public void Record(long from, long end, CallOutcome outcome)
    {
        if (from < _measureStart)
        {
            return;
        }
        var microseconds = Math.Clamp(Stopwatch.GetElapsedTime(from, end).Ticks / 10, 1, HighestLatencyMicroseconds);
        _latencyMicroseconds.RecordValue(microseconds);
        if (outcome.Kind == OutcomeKind.Ok)
        {
            Interlocked.Increment(ref _okCalls);
            if (outcome == CallOutcome.ReplayMatched)
            {
                Interlocked.Increment(ref _replaysMatched);
            }
        }
        else
        {
            _failures.AddOrUpdate(outcome, 1, static (_, count) => count + 1);
        }
        UpdateLastCompletion(end);
    }

    /// <summary>
    /// Open loop: how late a call due at <paramref name="due"/> left at <paramref name="sent"/>. It is part of the
    /// call's latency; reported apart so a reader can tell the generator's own delay from the exchange's.
    /// </summary>
    public void RecordSendDelay(long due, long sent)
    {
        if (due >= _measureStart)
        {
            _sendDelayMicroseconds.RecordValue(Math.Clamp(Stopwatch.GetElapsedTime(due, sent).Ticks / 10, 1, HighestLatencyMicroseconds));
        }
    }

    public long Calls => _latencyMicroseconds.TotalCount;
    public long OkCalls => Interlocked.Read(ref _okCalls);

    /// <summary>OK calls that repeated an earlier write and got the same transaction back.</summary>
    public long ReplaysMatched => Interlocked.Read(ref _replaysMatched);

    /// <summary>Seconds from the start of the measured window to the last recorded completion.</summary>
    public double MeasuredSeconds => Stopwatch.GetElapsedTime(_measureStart, Interlocked.Read(ref _lastCompletion)).TotalSeconds;

    public IReadOnlyDictionary<CallOutcome, long> Failures => _failures;

    /// <summary>Latency in milliseconds at <paramref name="percentile"/> (0–100).</summary>
    public double LatencyMs(double percentile) => _latencyMicroseconds.GetValueAtPercentile(percentile) / 1000.0;

    public double MaxLatencyMs => _latencyMicroseconds.GetMaxValue() / 1000.0;

    /// <summary>Open loop: the generator's send delay in milliseconds at <paramref name="percentile"/>, or null in the closed loop.</summary>
    public double? SendDelayMs(double percentile) =>
        _sendDelayMicroseconds.TotalCount > 0 ? _sendDelayMicroseconds.GetValueAtPercentile(percentile) / 1000.0 : null;
    public double MeanLatencyMs => _latencyMicroseconds.GetMean() / 1000.0;

    private void UpdateLastCompletion(long end)
    {
        var seen = Interlocked.Read(ref _lastCompletion);
        while (end > seen)
        {
            var previous = Interlocked.CompareExchange(ref _lastCompletion, end, seen);
            if (previous == seen)
            {
                return;
            }
            seen = previous;
        }
    }
}
