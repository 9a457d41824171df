using System.Diagnostics;

namespace PartnerExchange.Bench.Load;

/// <summary>
/// N callers, each sending its next call as soon as the last one is answered, for the whole window. Latency
/// runs from each call's own start; this loop measures the most the exchange can take from N callers.
/// </summary>
internal static class ClosedLoop
{
    public static async Task<LoadRecorder> RunAsync(
        Scenario scenario, IReadOnlyList<Caller> callers, LoadWindow window, long maxCalls, CancellationToken cancellationToken)
    {
        var recorder = new LoadRecorder(window.MeasureStart);
        long started = 0;
        await Task.WhenAll(callers.Select(caller => Task.Run(() => CallerLoopAsync(caller), cancellationToken))).ConfigureAwait(false);
        return recorder;

        async Task CallerLoopAsync(Caller caller)
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var start = Stopwatch.GetTimestamp();
                if (start >= window.End || Interlocked.Increment(ref started) > maxCalls)
                {
                    return;
                }
                var outcome = await scenario.CallAsync(caller, cancellationToken).ConfigureAwait(false);
                recorder.Record(start, Stopwatch.GetTimestamp(), outcome);
            }
        }
    }
}
