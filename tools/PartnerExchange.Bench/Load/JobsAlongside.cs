using System.Diagnostics;
using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using PartnerExchange.Bench.Network;
using PartnerExchange.V1;

namespace PartnerExchange.Bench.Load;

/// <summary>
/// An operator's long jobs, run beside a measurement (back to back, or a round at most every
/// <paramref name="every"/>), so its latencies show how long a partner's write waits behind them: a ClosePeriod over everything since the last one (the first covers the whole run so
/// far, every conversion of the earlier scenarios included), then a dry-run expiry as of two months ahead over
/// every program. For that every program is first switched to INACTIVITY:1, which makes every member with a
/// balance due by then (and leaves the programs so: nothing expires for real before a month has passed).
/// </summary>
internal sealed class JobsAlongside(ExchangeConnection connection, BenchNetwork network, TimeSpan every)
{
    private static readonly ExpiryPolicy OneMonthInactive = new() { Kind = ExpiryPolicyKind.Inactivity, Months = 1 };

    private readonly DateTimeOffset _setUpAt = DateTimeOffset.UtcNow;
    private DateTimeOffset? _lastPeriodEnd;
    private int _jobNumber;

    /// <summary>Starts the jobs; they run until the returned handle is stopped.</summary>
    public async Task<Running> StartAsync(CancellationToken cancellationToken)
    {
        foreach (var program in network.Programs)
        {
            await connection.Admin.UpdatePartnerAsync(new UpdatePartnerRequest
            {
                IdempotencyKey = NextKey("policy"), ProgramCode = program.Code, ExpiryPolicy = OneMonthInactive,
            }, connection.With(network.Operator, cancellationToken)).ResponseAsync.ConfigureAwait(false);
        }
        var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var running = new Running(stop);
        running.Loop = Task.Run(() => LoopAsync(running, stop.Token), CancellationToken.None);
        return running;
    }

    private async Task LoopAsync(Running running, CancellationToken cancellationToken)
    {
        // Generous deadlines: a job over the whole ledger is slow by nature, and this measures what it does to others.
        var timeout = TimeSpan.FromMinutes(10);
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var end = DateTimeOffset.UtcNow.AddSeconds(-1);
                var round = Stopwatch.StartNew();
                var clock = Stopwatch.StartNew();
                var period = await connection.Settlement.ClosePeriodAsync(new ClosePeriodRequest
                {
                    IdempotencyKey = NextKey("close"),
                    StartTime = Timestamp.FromDateTimeOffset(_lastPeriodEnd ?? _setUpAt.AddMinutes(-1)),
                    EndTime = Timestamp.FromDateTimeOffset(end),
                }, connection.With(network.Operator, cancellationToken, timeout)).ResponseAsync.ConfigureAwait(false);
                _lastPeriodEnd = end;
                running.Closes.Add((clock.Elapsed.TotalMilliseconds, period.Statements.Count));

                clock.Restart();
                var expiry = await connection.Admin.RunExpiryAsync(new RunExpiryRequest
                {
                    IdempotencyKey = NextKey("expiry"), AsOfTime = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddDays(62)), DryRun = true,
                }, connection.With(network.Operator, cancellationToken, timeout)).ResponseAsync.ConfigureAwait(false);
                running.DryRuns.Add((clock.Elapsed.TotalMilliseconds, expiry.ExpiredAccounts));
                if (every > round.Elapsed)
                {
                    await Task.Delay(every - round.Elapsed, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (Exception) when (cancellationToken.IsCancellationRequested)
        {
            // Stopped with the measurement: the job in flight is abandoned, as an operator's cancelled call would be.
        }
    }

    private string NextKey(string what) => $"{network.RunId}-jobs-{what}-{Interlocked.Increment(ref _jobNumber)}";

    /// <summary>The jobs running beside one measurement, and what they did.</summary>
    public sealed class Running(CancellationTokenSource stop)
    {
        public Task Loop { get; set; } = Task.CompletedTask;
        public List<(double Ms, long DueAccounts)> DryRuns { get; } = [];
        public List<(double Ms, int Statements)> Closes { get; } = [];

        /// <summary>Stops the jobs and says what they did, for the progress line.</summary>
        public async Task<string> StopAsync()
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await Loop.ConfigureAwait(false);
            stop.Dispose();
            static string Range(IEnumerable<double> ms) => ms.Any() ? $"{ms.Min():F0}–{ms.Max():F0} ms" : "none finished";
            return string.Create(CultureInfo.InvariantCulture,
                $"  alongside: {DryRuns.Count} dry-run expiries over {(DryRuns.Count > 0 ? DryRuns.Max(d => d.DueAccounts) : 0):N0} due accounts " +
                $"({Range(DryRuns.Select(d => d.Ms))}), {Closes.Count} ClosePeriod ({Range(Closes.Select(c => c.Ms))}, " +
                $"largest {(Closes.Count > 0 ? Closes.Max(c => c.Statements) : 0)} statements)");
        }
    }
}
