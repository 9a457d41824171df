using System.Globalization;
using PartnerExchange.Bench.Network;
using PartnerExchange.Bench.Options;
using PartnerExchange.Bench.Reporting;
using PartnerExchange.Bench.Target;

namespace PartnerExchange.Bench.Load;

/// <summary>
/// Runs every scenario at every load, one measurement at a time: first closed loop at each concurrency,
/// then open loop at each rate. Each write scenario's throughput is then set against ping's at the same load.
/// </summary>
internal sealed class LoadRun(ExchangeConnection connection, BenchNetwork network, TargetProcesses processes, BenchOptions options)
{
    private int _measurementNumber;

    public async Task<IReadOnlyList<MeasurementResult>> RunAllAsync(CancellationToken cancellationToken)
    {
        var calls = new ExchangeCalls(connection, network);
        var jobs = new JobsAlongside(connection, network, options.JobsEvery);
        var results = new List<MeasurementResult>();
        foreach (var name in options.Scenarios)
        {
            var scenario = Scenario.Create(name, calls, jobs);
            foreach (var concurrency in options.Concurrency)
            {
                results.Add(await MeasureClosedAsync(scenario, concurrency, cancellationToken).ConfigureAwait(false));
            }
            var saturation = results.Where(r => r.Scenario == name && r.Mode == MeasurementResult.ClosedLoop)
                .Select(r => (double?)r.CallsPerSecond).Max();
            foreach (var rate in options.Rates)
            {
                if (rate.Resolve(saturation) is not { } callsPerSecond)
                {
                    Console.Error.WriteLine($"warning: {name} at {rate} skipped: a share of saturation needs a closed-loop measurement first.");
                    continue;
                }
                results.Add(await MeasureOpenAsync(scenario, rate, callsPerSecond, cancellationToken).ConfigureAwait(false));
            }
        }
        return WithRatioToPing(results);
    }

    private Task<MeasurementResult> MeasureClosedAsync(Scenario scenario, int concurrency, CancellationToken cancellationToken) =>
        MeasureAsync(scenario, MeasurementResult.ClosedLoop, concurrency, null, null, concurrency,
            (callers, window) => ClosedLoop.RunAsync(scenario, callers, window, options.MaxCallsPerMeasurement, cancellationToken), cancellationToken);

    private Task<MeasurementResult> MeasureOpenAsync(Scenario scenario, ArrivalRate rate, double callsPerSecond, CancellationToken cancellationToken) =>
        MeasureAsync(scenario, MeasurementResult.OpenLoop, null, rate.ToString(), callsPerSecond, options.MaxInFlight,
            (callers, window) => OpenLoop.RunAsync(scenario, callsPerSecond, callers, window, options.MaxCallsPerMeasurement, cancellationToken),
            cancellationToken);

    private async Task<MeasurementResult> MeasureAsync(
        Scenario scenario, string mode, int? concurrency, string? rate, double? targetCallsPerSecond, int callerCount,
        Func<IReadOnlyList<Caller>, LoadWindow, Task<LoadRecorder>> run, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        // A fresh key prefix per measurement, so a caller's keys never repeat an earlier measurement's.
        var prefix = $"{network.RunId}-m{++_measurementNumber}";
        var callers = Enumerable.Range(0, callerCount).Select(i => new Caller(prefix, i, options.Seed)).ToArray();
        await using var memory = ServerMemory.StartSampling(processes.Server);
        var window = LoadWindow.StartingNow(options.Warmup, options.Duration);
        var cpu = CpuUse.From(processes, window.MeasureStart);
        var jobs = scenario.Jobs is { } alongside ? await alongside.StartAsync(cancellationToken).ConfigureAwait(false) : null;
        var recorder = await run(callers, window).ConfigureAwait(false);
        var jobsDone = jobs is null ? null : await jobs.StopAsync().ConfigureAwait(false);
        var cpuPerCall = await cpu.SinceStartAsync(recorder.Calls).ConfigureAwait(false);
        var rssBytes = await memory.StopAsync().ConfigureAwait(false);
        // A cancelled run stops here rather than reporting the cancelled calls as the exchange's errors.
        cancellationToken.ThrowIfCancellationRequested();
        var result = Summarize(scenario.Name, mode, concurrency, rate, targetCallsPerSecond, recorder, rssBytes) with
        {
            Cpu = cpuPerCall,
        };
        Console.WriteLine(ProgressLine(result));
        if (jobsDone is not null)
        {
            Console.WriteLine(jobsDone);
        }
        return result;
    }

    private static MeasurementResult Summarize(
        string scenario, string mode, int? concurrency, string? rate, double? target, LoadRecorder recorder, long? rssBytes)
    {
        var seconds = recorder.MeasuredSeconds;
        var latency = new LatencySummary(recorder.LatencyMs(50), recorder.LatencyMs(90), recorder.LatencyMs(99), recorder.LatencyMs(99.9),
            recorder.MaxLatencyMs, Math.Round(recorder.MeanLatencyMs, 3));
        var sendDelay = recorder.SendDelayMs(50) is { } p50 ? new SendDelaySummary(p50, recorder.SendDelayMs(99)!.Value) : null;
        OutcomeCount[] Counts(OutcomeKind kind) => recorder.Failures.Where(f => f.Key.Kind == kind)
            .Select(f => new OutcomeCount(f.Key.Code, f.Key.Reason, f.Value)).OrderByDescending(c => c.Count).ToArray();
        return new MeasurementResult(
            scenario, mode, concurrency, rate, target, Math.Round(seconds, 3), recorder.Calls, recorder.OkCalls, recorder.ReplaysMatched,
            seconds > 0 ? Math.Round(recorder.Calls / seconds, 1) : 0, latency, sendDelay, Counts(OutcomeKind.Refusal), Counts(OutcomeKind.Error),
            rssBytes is { } bytes ? Math.Round(bytes / 1024.0 / 1024.0, 1) : null, null, null);
    }

    // Closed loop only: ping with the same number of callers is the ceiling of the gRPC stack with
    // authentication, rate limiting and logging; open-loop rates are set, not reached.
    private static List<MeasurementResult> WithRatioToPing(List<MeasurementResult> results)
    {
        var ping = results.Where(r => r.Scenario == ScenarioNames.Ping && r.Mode == MeasurementResult.ClosedLoop && r.CallsPerSecond > 0)
            .GroupBy(r => r.Concurrency!.Value).ToDictionary(g => g.Key, g => g.Last().CallsPerSecond);
        return results.Select(r => r.Scenario != ScenarioNames.Ping && r.Concurrency is { } c && ping.TryGetValue(c, out var ceiling)
            ? r with { RatioToPing = Math.Round(r.CallsPerSecond / ceiling, 3) }
            : r).ToList();
    }

    private static string ProgressLine(MeasurementResult r)
    {
        var load = r.Concurrency is { } c ? MeasurementResult.Callers(c) : $"{r.TargetCallsPerSecond:F0}/s ({r.Rate})";
        var rss = r.ServerRssMaxMb is { } mb ? $"  rss {mb:F0} MB" : "";
        rss += r.Cpu?.ServerMicros is { } us ? $"  server cpu {us:F0} µs/call" : "";
        rss += r.Cpu?.LedgerWriterMicros is { } writer ? $" (writer {writer:F0})" : "";
        rss += r.Cpu?.AllProcessesMicros is { } all ? $"  all processes {all:F0} µs/call" : "";
        rss += r.Cpu?.MachineBusyPercent is { } busy ? $"  machine busy {busy:F0}%" : "";
        var delay = r.GeneratorSendDelayMs is { } d ? $"  (send delay p50 {d.P50:F2} p99 {d.P99:F2} ms)" : "";
        var replays = r.ReplaysMatched > 0 ? $"  replays matched {r.ReplaysMatched}" : "";
        return string.Create(CultureInfo.InvariantCulture,
            $"{r.Scenario,-12} {r.Mode,-6} {load,-18} {r.CallsPerSecond,10:F0} calls/s  p50 {r.LatencyMs.P50,7:F2}  p99 {r.LatencyMs.P99,7:F2}  p99.9 {r.LatencyMs.P999,7:F2}  max {r.LatencyMs.Max,7:F2} ms{delay}  refusals {r.RefusalCount}  errors {r.ErrorCount}{replays}{rss}");
    }
}
