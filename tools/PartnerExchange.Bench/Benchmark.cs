using System.Diagnostics;
using Grpc.Core;
using PartnerExchange.Bench.Load;
using PartnerExchange.Bench.Network;
using PartnerExchange.Bench.Options;
using PartnerExchange.Bench.Reporting;
using PartnerExchange.Bench.Target;
using PartnerExchange.Bench.Verification;

namespace PartnerExchange.Bench;

/// <summary>One benchmark run: start (or reach) the exchange, set up a network, load it, verify the ledger, report.</summary>
internal static class Benchmark
{
    public const int ExitPassed = 0;
    public const int ExitVerificationFailed = 1;
    public const int ExitError = 2;
    public const int ExitCancelled = 130;

    public static async Task<int> RunAsync(BenchOptions options, CancellationToken cancellationToken)
    {
        try
        {
            return await MeasureAndReportAsync(options, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Console.Error.WriteLine("Cancelled; the processes the benchmark started are stopped.");
            return ExitCancelled;
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException or RpcException or IOException)
        {
            Console.Error.WriteLine($"error: {ex.Message}");
            return ExitError;
        }
    }

    private static async Task<int> MeasureAndReportAsync(BenchOptions options, CancellationToken cancellationToken)
    {
        var date = DateTimeOffset.UtcNow;
        await using var target = await ExchangeTarget.StartOrConnectAsync(options, cancellationToken).ConfigureAwait(false);
        Console.WriteLine(target.StartedByTool
            ? $"Server started on {target.Address} (pid {target.ServerProcessId}, logs in {target.Folder})."
            : $"Using the server on {target.Address}.");
        using var connection = new ExchangeConnection(target.Address, target.OperatorKey, options.CallTimeout);

        var setupClock = Stopwatch.StartNew();
        var network = await NetworkSetup.SetUpAsync(connection, target.OperatorKey, options, cancellationToken).ConfigureAwait(false);
        var setupSeconds = setupClock.Elapsed.TotalSeconds;

        IReadOnlyList<MeasurementResult>? beforePrefill = null;
        if (options.CompareWithEmptyLedger)
        {
            Console.WriteLine("Measuring on the ledger as set up, before the prefill...");
            beforePrefill = await new LoadRun(connection, network, target.Processes, options).RunAllAsync(cancellationToken).ConfigureAwait(false);
        }
        var prefill = await Prefill.RunAsync(new ExchangeCalls(connection, network), network, target.ServerProcessId, options, cancellationToken)
            .ConfigureAwait(false);
        var results = await new LoadRun(connection, network, target.Processes, options).RunAllAsync(cancellationToken).ConfigureAwait(false);
        var verification = await LedgerVerification.RunAsync(connection, target.OperatorKey, network, cancellationToken).ConfigureAwait(false);

        var settings = Settings(options, target, network, setupSeconds, prefill);
        var report = new BenchReport(date, MachineFacts.Current(), options.CommandLine, settings, results, verification)
        {
            BeforePrefill = beforePrefill,
        };
        PrintPrefillChanges(report);
        var files = await ReportFiles.WriteAsync(report, options.OutputDirectory, options.ReportName, cancellationToken).ConfigureAwait(false);
        if (report.ServerRssMaxMb is { } rssMb)
        {
            Console.WriteLine($"Server RSS, largest sample over the run: {rssMb:F0} MB.");
        }
        PrintVerdict(verification, files);
        return verification.Passed ? ExitPassed : ExitVerificationFailed;
    }

    private static RunSettings Settings(
        BenchOptions options, ExchangeTarget target, BenchNetwork network, double setupSeconds, PrefillResult? prefill) => new(
        target.StartedByTool,
        target.StartedByTool ? ServerProcess.Settings : [],
        network.Programs.Select(p => p.Code).ToArray(),
        options.MembersPerProgram,
        options.StartingBalancePoints,
        options.HotBalancePoints,
        options.Warmup.TotalSeconds,
        options.Duration.TotalSeconds,
        options.CallTimeout.TotalSeconds,
        options.MaxInFlight,
        options.MaxCallsPerMeasurement,
        Math.Round(setupSeconds, 1),
        prefill);

    private static void PrintPrefillChanges(BenchReport report)
    {
        foreach (var change in report.PrefillChanges)
        {
            Console.WriteLine(
                $"After the prefill vs before: {change.After.Scenario} {change.Load}: {change.After.CallsPerSecond:N0} vs {change.Before.CallsPerSecond:N0} calls/s ({change.Percent:+0;-0;0}%), " +
                $"p99 {change.After.LatencyMs.P99:0.00} vs {change.Before.LatencyMs.P99:0.00} ms.");
        }
    }

    private static void PrintVerdict(Reporting.Verification verification, IReadOnlyList<string> files)
    {
        foreach (var ledger in verification.LedgerChecks)
        {
            var verdict = ledger.Ok ? "balanced" : "NOT OK";
            Console.WriteLine($"Ledger, checked by {ledger.CheckedBy}: {verdict}, {ledger.TransactionCount:N0} transactions, {ledger.AccountCount:N0} accounts.");
            foreach (var finding in ledger.Findings)
            {
                Console.WriteLine($"  {finding}");
            }
        }
        foreach (var note in verification.Notes)
        {
            Console.WriteLine(note);
        }
        var writes = verification.AcknowledgedWrites;
        Console.WriteLine(writes.Checked
            ? $"Acknowledged writes: {writes.Acknowledged:N0}, found {writes.Found:N0}, missing {writes.Missing:N0}."
            : $"Acknowledged writes: {writes.Acknowledged:N0}; {writes.Note}");
        Console.WriteLine($"Verification {(verification.Passed ? "passed" : "FAILED")}. Reports: {string.Join(", ", files)}");
    }
}
