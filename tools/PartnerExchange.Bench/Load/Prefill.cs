using System.Diagnostics;
using System.Globalization;
using PartnerExchange.Bench.Network;
using PartnerExchange.Bench.Options;
using PartnerExchange.Bench.Target;

namespace PartnerExchange.Bench.Load;

/// <summary>What the prefill did: the accruals it got acknowledged, how long that took, and the server's largest RSS meanwhile.</summary>
internal sealed record PrefillResult(long Transactions, long FailedCalls, double Seconds, double? ServerRssMaxMb);

/// <summary>
/// Fills the ledger before the first measurement, through the API as partners would: accruals to random
/// members of every program from many callers at once, none of them measured. It shows how the exchange
/// holds up with a large ledger (a million transactions, say) against the same scenarios on an empty one.
/// Every acknowledged accrual joins the ledger check after the run.
/// </summary>
internal static class Prefill
{
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(10);

    public static async Task<PrefillResult?> RunAsync(
        ExchangeCalls calls, BenchNetwork network, int? serverProcessId, BenchOptions options, CancellationToken cancellationToken)
    {
        var target = options.PrefillTransactions;
        if (target == 0)
        {
            return null;
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Prefilling the ledger with {target:N0} accruals at {options.PrefillConcurrency} callers (not measured)..."));
        // A failure is retried with a new accrual; this many in all means the exchange is failing, not busy.
        var maxFailures = Math.Max(100, target / 100);
        long claimed = 0, done = 0, failed = 0;
        var clock = Stopwatch.StartNew();
        await using var memory = ServerMemory.StartSampling(serverProcessId);
        using var progress = new Timer(_ => Report(Interlocked.Read(ref done), target, clock.Elapsed), null, ProgressInterval, ProgressInterval);
        var callers = Enumerable.Range(0, options.PrefillConcurrency).Select(i => new Caller($"{network.RunId}-prefill", i, options.Seed)).ToArray();
        await Task.WhenAll(callers.Select(caller => Task.Run(async () =>
        {
            while (Interlocked.Increment(ref claimed) <= target)
            {
                var outcome = await calls.AccrueAsync(caller, mayRepeat: false, cancellationToken).ConfigureAwait(false);
                if (outcome.Kind == OutcomeKind.Ok)
                {
                    Interlocked.Increment(ref done);
                    continue;
                }
                if (Interlocked.Increment(ref failed) > maxFailures)
                {
                    throw new InvalidOperationException($"The prefill failed {failed:N0} times; the last: {outcome.Code} {outcome.Reason}.");
                }
                // Try again: the target counts acknowledged accruals.
                Interlocked.Decrement(ref claimed);
            }
        }, cancellationToken))).ConfigureAwait(false);
        var rssBytes = await memory.StopAsync().ConfigureAwait(false);
        Report(done, target, clock.Elapsed);
        return new PrefillResult(done, failed, Math.Round(clock.Elapsed.TotalSeconds, 1),
            rssBytes is { } bytes ? Math.Round(bytes / 1024.0 / 1024.0, 1) : null);
    }

    private static void Report(long done, long target, TimeSpan elapsed) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  prefill: {done:N0} of {target:N0} in {elapsed.TotalSeconds:F0} s ({done / Math.Max(elapsed.TotalSeconds, 0.001):F0}/s)"));
}
