using System.Collections.Concurrent;
using System.Diagnostics;

namespace PartnerExchange.Bench.Load;

/// <summary>
/// Calls arrive on a fixed schedule, whatever the exchange does: call i is due at Start + i / rate. Latency
/// runs from the due time, not from when the call could be sent, so a stall is charged to every call it
/// delayed (no coordinated omission). At most <c>callers.Count</c> calls are outstanding; arrivals still
/// unsent when the window ends are recorded as NOT_SENT with the time they had waited.
/// </summary>
/// <remarks>
/// Calls may leave late (the generator shares the CPU), never early; that send delay is part of their latency
/// and is also reported on its own.
/// </remarks>
internal static class OpenLoop
{
    public static async Task<LoadRecorder> RunAsync(
        Scenario scenario, double callsPerSecond, IReadOnlyList<Caller> callers, LoadWindow window, long maxCalls, CancellationToken cancellationToken)
    {
        var recorder = new LoadRecorder(window.MeasureStart);
        var idle = new ConcurrentBag<Caller>(callers);
        using var slots = new SemaphoreSlim(callers.Count);
        Exception? failure = null;
        // Its own thread, so the schedule is kept by a sleeping thread rather than by timers and the thread pool.
        await Task.Factory.StartNew(Dispatch, cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default).ConfigureAwait(false);
        // Every slot back means every call sent has been answered; each has a deadline, so this ends.
        for (var i = 0; i < callers.Count; i++)
        {
            await slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        return failure is null ? recorder : throw new InvalidOperationException("A call failed unexpectedly.", failure);

        void Dispatch()
        {
            var ticksPerCall = Stopwatch.Frequency / callsPerSecond;
            for (long arrival = 0; arrival < maxCalls && !cancellationToken.IsCancellationRequested; arrival++)
            {
                var due = window.Start + (long)(arrival * ticksPerCall);
                if (due >= window.End)
                {
                    return;
                }
                ArrivalClock.SleepUntil(due);
                if (!slots.Wait(TimeUntil(window.End), cancellationToken))
                {
                    RecordNotSent(recorder, window, ticksPerCall, arrival, maxCalls);
                    return;
                }
                idle.TryTake(out var caller);
                _ = SendAsync(caller!, due);
            }
        }

        async Task SendAsync(Caller caller, long due)
        {
            try
            {
                recorder.RecordSendDelay(due, Stopwatch.GetTimestamp());
                var outcome = await scenario.CallAsync(caller, cancellationToken).ConfigureAwait(false);
                recorder.Record(due, Stopwatch.GetTimestamp(), outcome);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                Interlocked.CompareExchange(ref failure, ex, null);
            }
            finally
            {
                idle.Add(caller);
                slots.Release();
            }
        }
    }

    private static TimeSpan TimeUntil(long end)
    {
        var left = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), end);
        return left > TimeSpan.Zero ? left : TimeSpan.Zero;
    }

    private static void RecordNotSent(LoadRecorder recorder, LoadWindow window, double ticksPerCall, long firstArrival, long maxCalls)
    {
        for (var arrival = firstArrival; arrival < maxCalls; arrival++)
        {
            var due = window.Start + (long)(arrival * ticksPerCall);
            if (due >= window.End)
            {
                return;
            }
            recorder.Record(due, window.End, CallOutcome.NotSent);
        }
    }
}
