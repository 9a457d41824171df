using PartnerExchange.Domain.Expiry;
using PartnerExchange.Ledger.Expiry;

namespace PartnerExchange.Ledger.Stores;

/// <summary>
/// What the expiry run reads and records: lots and inactive balances due to expire or to be warned about, and the
/// warnings issued. Suspended programs are never found: their points cannot move until they resume.
/// </summary>
internal interface IExpiryStore
{
    /// <summary>The active programs under an inactivity policy (all, or the one given), each with when that policy took effect.</summary>
    List<InactivityProgram> InactivityPrograms(string? programCode);

    /// <summary>
    /// Member accounts of a program holding points whose last activity is no later than <paramref name="expiredMicros"/>,
    /// by account id, at most <paramref name="limit"/>: their whole balances are due.
    /// </summary>
    void ReadLapsedBalances(string programCode, long expiredMicros, int limit, List<DueExpiry> due);

    /// <summary>Member accounts with open lots expired by <paramref name="asOfMicros"/>, summed per account, by account id.</summary>
    void ReadExpiredLots(long asOfMicros, string? programCode, int limit, List<DueExpiry> due);

    /// <summary>
    /// Per account, open lots expiring within the horizon that no warning at its number of days has covered: points
    /// and earliest expiry, by account id.
    /// </summary>
    void ReadLotsToWarn(ExpiryHorizon horizon, string? programCode, int limit, List<DueWarning> due);

    /// <summary>
    /// Member accounts of an inactivity program holding points whose deadline (from the later of their last activity
    /// and <paramref name="program"/>'s policy start) falls after <paramref name="expiredMicros"/>'s and no later than
    /// <paramref name="warnMicros"/>'s, not yet warned at <paramref name="days"/> about that clock start, by account id.
    /// </summary>
    void ReadInactiveBalancesToWarn(
        InactivityProgram program, long expiredMicros, long warnMicros, int days, int limit, List<InactiveBalance> due);

    /// <summary>Records a warning at <paramref name="days"/> about an inactive balance's clock start (once).</summary>
    void RecordInactivityWarning(long accountId, int days, long basisMicros);

    /// <summary>Records a warning at <paramref name="days"/> for every open lot of the account expiring within the horizon (once each).</summary>
    void RecordLotWarnings(long accountId, int days, ExpiryHorizon horizon);
}

/// <summary>A program under an inactivity policy and when that policy took effect.</summary>
internal readonly record struct InactivityProgram(string ProgramCode, ExpiryPolicy Policy, long SinceMicros);

/// <summary>An inactive balance found for a warning: its account, member, points and the start of its clock.</summary>
internal readonly record struct InactiveBalance(long AccountId, string MemberNumber, long BalancePoints, long ClockStartMicros);

/// <summary>One warning horizon of a run: points expiring after <paramref name="From"/> and by <paramref name="Until"/>.</summary>
internal sealed record ExpiryHorizon(DateTimeOffset From, DateTimeOffset Until, int Days);
