using System.Globalization;
using PartnerExchange.Bench.Load;
using PartnerExchange.Bench.Target;

namespace PartnerExchange.Bench.Reporting;

/// <summary>Everything one run found, as written to NAME.json; the markdown and SVG are drawn from it.</summary>
internal sealed record BenchReport(
    DateTimeOffset Date,
    MachineFacts Machine,
    string CommandLine,
    RunSettings Settings,
    IReadOnlyList<MeasurementResult> Results,
    Verification Verification)
{
    /// <summary>With --compare-empty: the same measurements before the prefill, on the ledger as set up; else null.</summary>
    public IReadOnlyList<MeasurementResult>? BeforePrefill { get; init; }

    /// <summary>The server's largest RSS sampled over the whole run (prefill and every measurement), in MB.</summary>
    public double? ServerRssMaxMb =>
        Results.Concat(BeforePrefill ?? []).Select(r => r.ServerRssMaxMb).Append(Settings.Prefill?.ServerRssMaxMb).Max();

    /// <summary>Each measurement after the prefill beside the same one (scenario, mode and load) before it.</summary>
    public IReadOnlyList<PrefillChange> PrefillChanges =>
        BeforePrefill is null ? [] :
        Results.Join(BeforePrefill, r => (r.Scenario, r.Mode, r.Concurrency, r.Rate), r => (r.Scenario, r.Mode, r.Concurrency, r.Rate),
            (after, before) => new PrefillChange(before, after)).ToList();
}

/// <summary>One measurement before and after the prefill.</summary>
internal sealed record PrefillChange(MeasurementResult Before, MeasurementResult After)
{
    /// <summary>Calls/s after over before, as a change in percent (negative: slower on the large ledger).</summary>
    public double Percent => Before.CallsPerSecond > 0 ? ((After.CallsPerSecond / Before.CallsPerSecond) - 1) * 100 : 0;

    /// <summary>The load, as the reports name it.</summary>
    public string Load => After.Concurrency is { } callers
        ? "at " + MeasurementResult.Callers(callers)
        : string.Create(CultureInfo.InvariantCulture, $"at {After.Rate} ({After.TargetCallsPerSecond:N0}/s vs {Before.TargetCallsPerSecond:N0}/s)");
}

/// <summary>How the run was set up and loaded.</summary>
internal sealed record RunSettings(
    bool ServerStartedByTool,
    IReadOnlyList<string> ServerSettings,
    IReadOnlyList<string> Programs,
    int MembersPerProgram,
    long StartingBalancePoints,
    long HotBalancePoints,
    double WarmupSeconds,
    double DurationSeconds,
    double CallTimeoutSeconds,
    int MaxInFlight,
    long MaxCallsPerMeasurement,
    double SetupSeconds,
    PrefillResult? Prefill);

/// <summary>Latency percentiles in milliseconds, from an HdrHistogram with 3 significant digits.</summary>
internal sealed record LatencySummary(double P50, double P90, double P99, double P999, double Max, double Mean);

/// <summary>Open loop: how late the generator sent calls after their due time (ms); already part of the latency.</summary>
internal sealed record SendDelaySummary(double P50, double P99);

/// <summary>Calls that ended with one code and reason.</summary>
internal sealed record OutcomeCount(string Code, string Reason, long Count);

/// <summary>
/// One scenario at one load: closed loop with <see cref="Concurrency"/> callers, or open loop at
/// <see cref="TargetCallsPerSecond"/>. Calls per second count every answered call, refusals and errors included.
/// <see cref="ReplaysMatched"/> counts the OK repeats of the retry scenario that returned the original transaction.
/// <see cref="Cpu"/> is the CPU time per call over the measured window of each process sharing the cores, and the
/// machine's busy share.
/// </summary>
internal sealed record MeasurementResult(
    string Scenario,
    string Mode,
    int? Concurrency,
    string? Rate,
    double? TargetCallsPerSecond,
    double MeasuredSeconds,
    long Calls,
    long OkCalls,
    long ReplaysMatched,
    double CallsPerSecond,
    LatencySummary LatencyMs,
    SendDelaySummary? GeneratorSendDelayMs,
    IReadOnlyList<OutcomeCount> Refusals,
    IReadOnlyList<OutcomeCount> Errors,
    double? ServerRssMaxMb,
    double? RatioToPing,
    CpuPerCall? Cpu)
{
    public const string ClosedLoop = "closed";
    public const string OpenLoop = "open";

    public long ErrorCount => Errors.Sum(e => e.Count);
    public long RefusalCount => Refusals.Sum(r => r.Count);

    /// <summary>A closed loop's load as the reports name it: "1 caller", "64 callers".</summary>
    public static string Callers(int count) => string.Create(CultureInfo.InvariantCulture, $"{count} caller{(count == 1 ? "" : "s")}");
}

/// <summary>
/// The checks after the load: the ledger's invariants (by the exchange, and independently from its file), and
/// every acknowledged write in the ledger. It passes when at least one ledger check ran and nothing failed.
/// </summary>
internal sealed record Verification(IReadOnlyList<LedgerCheck> LedgerChecks, AcknowledgedWritesCheck AcknowledgedWrites, IReadOnlyList<string> Notes)
{
    public bool Passed => LedgerChecks.Count > 0 && LedgerChecks.All(c => c.Ok) && AcknowledgedWrites.Missing == 0;
}

/// <summary>The ledger's invariants as one checker saw them.</summary>
internal sealed record LedgerCheck(
    string CheckedBy, bool Ok, IReadOnlyList<string> Checks, long TransactionCount, long AccountCount, IReadOnlyList<string> Findings);

/// <summary>Acknowledged writes (distinct transaction ids) and how many of them the ledger holds.</summary>
internal sealed record AcknowledgedWritesCheck(bool Checked, long Acknowledged, long Found, long Missing, IReadOnlyList<string> MissingSample, string? Note);
