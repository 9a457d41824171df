using PartnerExchange.Ledger.Expiry;
using PartnerExchange.Ledger.Stores;
using PartnerExchange.Ledger.Writing;

namespace PartnerExchange.Ledger.Planning;

/// <summary>What an expiry batch does with what the stores found, over plain values (no I/O).</summary>
internal static class ExpiryPlan
{
    /// <summary>
    /// The last activity (in microseconds) by which a balance of an inactivity program has lapsed as of a moment;
    /// null when the policy is younger than its period, so that no balance can have lapsed under it yet.
    /// </summary>
    public static long? LapsedByMicros(InactivityProgram program, DateTimeOffset asOf)
    {
        var expiredMicros = program.Policy.LatestExpiredMicros(asOf);
        return program.SinceMicros > expiredMicros ? null : expiredMicros;
    }

    /// <summary>
    /// The latest last activity (in microseconds) whose deadline falls by the horizon's end; null when the policy is
    /// too young for any of its deadlines to fall within the horizon.
    /// </summary>
    public static long? WarnableByMicros(InactivityProgram program, ExpiryHorizon horizon)
    {
        var warnMicros = program.Policy.LatestExpiredMicros(horizon.Until);
        return program.SinceMicros > warnMicros ? null : warnMicros;
    }

    /// <summary>
    /// The accounts an expiry batch expires, by account id, at most <paramref name="limit"/>: a lapsed balance goes
    /// whole (it already includes the account's expired lots), any other account loses its expired lots.
    /// </summary>
    public static List<DueExpiry> DueExpiries(List<DueExpiry> lapsedBalances, List<DueExpiry> expiredLots, int limit)
    {
        var due = new SortedDictionary<long, DueExpiry>();
        foreach (var balance in lapsedBalances)
        {
            due[balance.AccountId] = balance;
        }
        foreach (var lots in expiredLots)
        {
            due.TryAdd(lots.AccountId, lots);
        }
        return due.Values.Take(limit).ToList();
    }

    /// <summary>The warning about an inactive balance: its deadline runs from its clock's start under the program's policy.</summary>
    public static DueWarning InactivityWarning(InactivityProgram program, InactiveBalance balance, int days)
    {
        var deadline = program.Policy.InactivityDeadline(Time.FromMicros(balance.ClockStartMicros), Time.FromMicros(program.SinceMicros))
            ?? throw new InvalidOperationException($"An inactivity policy of {program.ProgramCode} gives no deadline.");
        return new DueWarning(balance.AccountId, program.ProgramCode, balance.MemberNumber, days, balance.BalancePoints,
            deadline.ToUnixMicros(), balance.ClockStartMicros);
    }

    /// <summary>
    /// The warning horizons of a run, shortest first, each with the horizons its warnings count as covered too (it
    /// and every longer one, so a late run never follows a 7-day warning with a stale 30-day one). A catch-up run as
    /// of a past moment never announces an expiry that has already come.
    /// </summary>
    public static List<(ExpiryHorizon Horizon, List<int> CoveredDays)> WarningHorizons(
        DateTimeOffset asOf, DateTimeOffset now, IReadOnlyList<int> warningDays)
    {
        var days = warningDays.Distinct().Order().ToList();
        var from = asOf > now ? asOf : now;
        return days.Select(d => (new ExpiryHorizon(from, asOf.AddDays(d), d), days.Where(h => h >= d).ToList())).ToList();
    }
}
