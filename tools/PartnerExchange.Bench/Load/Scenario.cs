using PartnerExchange.Bench.Options;

namespace PartnerExchange.Bench.Load;

/// <summary>A named load: what one call of a caller does. Every scenario spreads over all programs and many members.</summary>
internal sealed class Scenario(string name, Func<Caller, CancellationToken, Task<CallOutcome>> call, JobsAlongside? jobs = null)
{
    public string Name { get; } = name;

    /// <summary>Jobs to run beside each measurement of the scenario, or null.</summary>
    public JobsAlongside? Jobs { get; } = jobs;

    public Task<CallOutcome> CallAsync(Caller caller, CancellationToken cancellationToken) => call(caller, cancellationToken);

    public static Scenario Create(string name, ExchangeCalls calls, JobsAlongside jobs) => name switch
    {
        ScenarioNames.Ping => new(name, calls.PingAsync),
        ScenarioNames.Balance => new(name, calls.GetAccountAsync),
        ScenarioNames.Accrue => new(name, (c, t) => calls.AccrueAsync(c, mayRepeat: false, t)),
        ScenarioNames.Convert => new(name, (c, t) => calls.ConvertAsync(c, hot: false, mayRepeat: false, t)),
        // Every caller on the same four members: the ledger's conditional balance updates under contention.
        ScenarioNames.ConvertHot => new(name, (c, t) => calls.ConvertAsync(c, hot: true, mayRepeat: false, t)),
        ScenarioNames.Mixed => new(name, (c, t) => c.Random.Next(100) switch
        {
            < 70 => calls.GetAccountAsync(c, t),
            < 90 => calls.AccrueAsync(c, mayRepeat: false, t),
            _ => calls.ConvertAsync(c, hot: false, mayRepeat: false, t),
        }),
        // Writes, a tenth of them sent again with the same key as the caller's next call.
        ScenarioNames.Retry => new(name, (c, t) => c.TryTakeRepeat(out var repeat)
            ? ExchangeCalls.RepeatAsync(repeat, t)
            : c.Chance(50) ? calls.AccrueAsync(c, mayRepeat: true, t) : calls.ConvertAsync(c, hot: false, mayRepeat: true, t)),
        // Accruals, measured while ClosePeriod and dry-run expiries over the whole ledger run back to back.
        ScenarioNames.AccrueDuringJobs => new(name, (c, t) => calls.AccrueAsync(c, mayRepeat: false, t), jobs),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "Not a scenario."),
    };
}
