using System.Globalization;
using System.Text;

namespace PartnerExchange.Bench.Reporting;

/// <summary>The report as markdown: how it was measured, a table per loop kind, failures, and the verification.</summary>
internal static class MarkdownReport
{
    public static string Render(BenchReport report, string name)
    {
        var text = new StringBuilder();
        AppendHeader(text, report);
        AppendClosedLoop(text, report.Results.Where(r => r.Mode == MeasurementResult.ClosedLoop).ToArray());
        AppendCpuBudget(text, report.Results.Where(r => r.Mode == MeasurementResult.ClosedLoop).ToArray(), report.Machine.Cores);
        AppendOpenLoop(text, report.Results.Where(r => r.Mode == MeasurementResult.OpenLoop).ToArray());
        AppendPrefillChanges(text, report.PrefillChanges);
        AppendFailures(text, report.Results);
        AppendVerification(text, report.Verification);
        text.AppendLine().AppendLine($"![Throughput and p99 against callers]({name}.svg)");
        return text.ToString();
    }

    private static void AppendHeader(StringBuilder text, BenchReport report)
    {
        var s = report.Settings;
        text.AppendLine(Invariant($"# PartnerExchange benchmark, {report.Date:yyyy-MM-dd HH:mm} UTC")).AppendLine();
        text.AppendLine($"- Machine: {report.Machine}");
        text.AppendLine($"- Command: `{report.CommandLine}`");
        text.AppendLine(s.ServerStartedByTool
            ? $"- Server: started by the benchmark, Release build, production settings (synchronous=FULL, idempotency on Redis, rate limits on, Information logs to a file) plus `{string.Join(' ', s.ServerSettings)}`; per-partner limits raised through the admin API so none rejects."
            : "- Server: given by --address; its settings are its own.");
        text.AppendLine(Invariant($"- Network: {s.Programs.Count} programs ({string.Join(", ", s.Programs)}), {s.MembersPerProgram:N0} members each with {s.StartingBalancePoints:N0} points; the 4 convert-hot members start with {s.HotBalancePoints:N0}. Set up in {s.SetupSeconds:F1} s."));
        if (s.Prefill is { } prefill)
        {
            text.AppendLine(Invariant(
                $"- Prefill, before the first measurement and not measured: {prefill.Transactions:N0} accruals acknowledged in {prefill.Seconds:0.#} s ({prefill.Transactions / Math.Max(prefill.Seconds, 0.001):N0}/s, {prefill.FailedCalls:N0} failed calls retried); server RSS max {Rss(prefill.ServerRssMaxMb)} MB."));
        }
        text.AppendLine(Invariant($"- Each measurement: {s.WarmupSeconds:0.###} s warm-up, then {s.DurationSeconds:0.###} s measured; call deadline {s.CallTimeoutSeconds:0.###} s."));
        text.AppendLine($"- Server RSS, largest sample over the whole run (every 250 ms; setup excluded): {Rss(report.ServerRssMaxMb)} MB.");
        text.AppendLine("- Calls/s counts every answered call, refusals and errors included; × ping is calls/s over ping's with the same callers.");
        text.AppendLine("- Server CPU/call is the server process's CPU time over the measured window divided by its calls: on a machine shared with other work, compare versions by it rather than by calls/s.");
        text.AppendLine("- Machine busy is the share of all the machine's cores that was not idle over the measured window, every process counted (server, generator, Redis). It includes threads spinning while they wait for work (.NET's thread pool spins before it sleeps), so at light loads it overstates the work done; under heavy load, well below 100% means something other than the cores set the pace (for writes, the single ledger writer).");
        text.AppendLine("- Latency (ms) runs from a call's start in the closed loop, and from its due time in the open loop (no coordinated omission). That includes the generator's own send delay (it shares the CPU with the server), shown apart as send delay.");
    }

    private static void AppendClosedLoop(StringBuilder text, MeasurementResult[] results)
    {
        if (results.Length == 0)
        {
            return;
        }
        text.AppendLine().AppendLine("## Closed loop").AppendLine();
        text.AppendLine("| Scenario | Callers | Calls/s | × ping | p50 | p90 | p99 | p99.9 | max | Refusals | Errors | Server RSS max (MB) | Server CPU/call (µs) | Machine busy |");
        text.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var r in results)
        {
            text.AppendLine(Invariant(
                $"| {r.Scenario} | {r.Concurrency} | {r.CallsPerSecond:N0} | {Ratio(r.RatioToPing)} | {Latencies(r.LatencyMs)} | {r.RefusalCount:N0} | {r.ErrorCount:N0} | {Rss(r.ServerRssMaxMb)} | {Cpu(r.Cpu?.ServerMicros)} | {Busy(r.Cpu?.MachineBusyPercent)} |"));
        }
    }

    // Where the cores go per call, and what that allows: a target share of ping above "CPU ceiling" cannot be reached on
    // this machine at this CPU cost per call, however the work is spread over threads.
    private static void AppendCpuBudget(StringBuilder text, MeasurementResult[] results, int cores)
    {
        var rows = results.Where(r => r.Cpu?.AllProcessesMicros is not null).ToArray();
        if (rows.Length == 0)
        {
            return;
        }
        text.AppendLine().AppendLine("## CPU per call, closed loop").AppendLine();
        text.AppendLine(Invariant($"CPU time per call in µs over the measured window: the server's, the parts of it on the ledger writer's and the ledger checkpointer's threads, the load generator's, Redis's, and the whole machine's (every process; {cores} cores). CPU ceiling is the calls/s the scenario would make with every core busy at its CPU per call, as a share of ping's calls/s with the same callers: a target share above it cannot be met on this machine without cutting the CPU per call. The last column is the same with the writer's and the checkpointer's CPU taken away, as if the ledger's own threads cost nothing (the ledger's reads on other threads, and threads spinning for work, stay in). Both hold at the measured load: more callers can make larger write groups and cheaper calls.")).AppendLine();
        text.AppendLine("| Scenario | Callers | Calls/s | Server | Ledger writer | Ledger checkpointer | Generator | Redis | All processes | CPU ceiling × ping | Without the ledger's threads × ping |");
        text.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var r in rows)
        {
            var cpu = r.Cpu!;
            // Calls/s with every core busy at this CPU per call, over ping's: the measured ratio scaled by how far that is.
            double? Ceiling(double? microsPerCall) =>
                microsPerCall is > 0 && r.RatioToPing is { } ratio && r.CallsPerSecond > 0
                    ? ratio * (cores * 1e6 / microsPerCall.Value) / r.CallsPerSecond
                    : null;
            text.AppendLine(Invariant(
                $"| {r.Scenario} | {r.Concurrency} | {r.CallsPerSecond:N0} | {Cpu(cpu.ServerMicros)} | {Cpu(cpu.LedgerWriterMicros)} | {Cpu(cpu.LedgerCheckpointerMicros)} | {Cpu(cpu.GeneratorMicros)} | {Cpu(cpu.RedisMicros)} | {Cpu(cpu.AllProcessesMicros)} | {Ratio(Ceiling(cpu.AllProcessesMicros))} | {Ratio(Ceiling(cpu.AllProcessesMicros - cpu.LedgerWriterMicros - cpu.LedgerCheckpointerMicros))} |"));
        }
    }

    private static void AppendOpenLoop(StringBuilder text, MeasurementResult[] results)
    {
        if (results.Length == 0)
        {
            return;
        }
        text.AppendLine().AppendLine("## Open loop").AppendLine();
        // The writer's and every process's CPU per call show what a lower rate costs: smaller write groups and calls
        // that each wake threads alone, so the machine can be as busy at half the rate as at saturation.
        text.AppendLine("| Scenario | Rate | Target calls/s | Calls/s | p50 | p90 | p99 | p99.9 | max | Send delay p50 / p99 | Refusals | Errors | Server RSS max (MB) | Server CPU/call (µs) | Ledger writer CPU/call (µs) | All processes CPU/call (µs) | Machine busy |");
        text.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var r in results)
        {
            text.AppendLine(Invariant(
                $"| {r.Scenario} | {r.Rate} | {r.TargetCallsPerSecond:N0} | {r.CallsPerSecond:N0} | {Latencies(r.LatencyMs)} | {SendDelay(r.GeneratorSendDelayMs)} | {r.RefusalCount:N0} | {r.ErrorCount:N0} | {Rss(r.ServerRssMaxMb)} | {Cpu(r.Cpu?.ServerMicros)} | {Cpu(r.Cpu?.LedgerWriterMicros)} | {Cpu(r.Cpu?.AllProcessesMicros)} | {Busy(r.Cpu?.MachineBusyPercent)} |"));
        }
    }

    private static void AppendPrefillChanges(StringBuilder text, IReadOnlyList<PrefillChange> changes)
    {
        if (changes.Count == 0)
        {
            return;
        }
        text.AppendLine().AppendLine("## After the prefill vs before it").AppendLine();
        text.AppendLine("The tables above are measured after the prefill; here each beside the same measurement on the ledger as set up, before the prefill, in this run and on this server.").AppendLine();
        text.AppendLine("| Scenario | Load | Calls/s before | Calls/s after | Change | p99 before | p99 after | Server CPU/call before / after (µs) |");
        text.AppendLine("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var c in changes)
        {
            text.AppendLine(Invariant(
                $"| {c.After.Scenario} | {c.Load} | {c.Before.CallsPerSecond:N0} | {c.After.CallsPerSecond:N0} | {c.Percent:+0;-0;0}% | {c.Before.LatencyMs.P99:0.00} | {c.After.LatencyMs.P99:0.00} | {Cpu(c.Before.Cpu?.ServerMicros)} / {Cpu(c.After.Cpu?.ServerMicros)} |"));
        }
    }

    private static void AppendFailures(StringBuilder text, IReadOnlyList<MeasurementResult> results)
    {
        var lines = results.SelectMany(r => r.Refusals.Select(c => (r, c, kind: "refusal")).Concat(r.Errors.Select(c => (r, c, kind: "error"))))
            .Select(x => Invariant($"- {x.r.Scenario} at {Load(x.r)}: {x.kind} {x.c.Code} {x.c.Reason} × {x.c.Count:N0}"))
            .Concat(results.Where(r => r.ReplaysMatched > 0)
                .Select(r => Invariant($"- {r.Scenario} at {Load(r)}: {r.ReplaysMatched:N0} repeated writes answered with their original transaction")))
            .ToArray();
        text.AppendLine().AppendLine("## Refusals, errors and replays").AppendLine();
        text.AppendLine(lines.Length == 0 ? "None." : string.Join(Environment.NewLine, lines));
    }

    private static void AppendVerification(StringBuilder text, Verification verification)
    {
        var writes = verification.AcknowledgedWrites;
        text.AppendLine().AppendLine($"## Verification: {(verification.Passed ? "passed" : "FAILED")}").AppendLine();
        foreach (var ledger in verification.LedgerChecks)
        {
            text.AppendLine(Invariant(
                $"- Ledger, checked by {ledger.CheckedBy}: {(ledger.Ok ? "balanced" : "NOT OK")}; {ledger.TransactionCount:N0} transactions, {ledger.AccountCount:N0} accounts; checks: {string.Join(", ", ledger.Checks)}."));
            foreach (var finding in ledger.Findings)
            {
                text.AppendLine($"  - {finding}");
            }
        }
        foreach (var note in verification.Notes)
        {
            text.AppendLine($"- {note}");
        }
        text.AppendLine(writes.Checked
            ? Invariant($"- Acknowledged writes: {writes.Acknowledged:N0} distinct transaction ids answered OK, {writes.Found:N0} found in the ledger, {writes.Missing:N0} missing.")
            : $"- Acknowledged writes: {writes.Acknowledged:N0}; {writes.Note}");
        if (writes.MissingSample.Count > 0)
        {
            text.AppendLine($"  - Missing, e.g.: {string.Join(", ", writes.MissingSample)}");
        }
    }

    private static string Load(MeasurementResult r) =>
        r.Concurrency is { } c ? MeasurementResult.Callers(c) : Invariant($"{r.TargetCallsPerSecond:N0}/s");
    private static string Latencies(LatencySummary l) => Invariant($"{l.P50:0.00} | {l.P90:0.00} | {l.P99:0.00} | {l.P999:0.00} | {l.Max:0.00}");
    private static string SendDelay(SendDelaySummary? d) => d is null ? "" : Invariant($"{d.P50:0.00} / {d.P99:0.00}");
    private static string Ratio(double? ratio) => ratio is { } r ? Invariant($"{r:0.00}") : "";
    private static string Cpu(double? microseconds) => microseconds is { } us ? Invariant($"{us:0}") : "n/a";

    private static string Busy(double? percent) => percent is { } p ? Invariant($"{p:0}%") : "n/a";
    private static string Rss(double? megabytes) => megabytes is { } mb ? Invariant($"{mb:0}") : "n/a";
    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
