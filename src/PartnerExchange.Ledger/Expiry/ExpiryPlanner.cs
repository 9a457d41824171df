using PartnerExchange.Ledger.Planning;
using PartnerExchange.Ledger.Stores;
using PartnerExchange.Ledger.Writing;

namespace PartnerExchange.Ledger.Expiry;

/// <summary>A member account with points due to expire: some lots, or under inactivity its whole balance.</summary>
internal sealed record DueExpiry(long AccountId, string ProgramCode, string MemberNumber, long Points, bool WholeBalance);

/// <summary>
/// A warning due for a member account at one horizon: the points that will expire within it and the
/// earliest expiry among them. <paramref name="InactiveSinceMicros"/> is set for a balance expiring
/// through inactivity (what its deadline runs from: the last activity, or the policy's start if later).
/// </summary>
internal sealed record DueWarning(
    long AccountId, string ProgramCode, string MemberNumber, int HorizonDays, long Points, long ExpiresAtMicros,
    long? InactiveSinceMicros);

/// <summary>
/// The member accounts with ids after <paramref name="AfterAccountId"/> and up to <paramref name="ThroughAccountId"/>:
/// a forecast reads the ledger one such slice at a time.
/// </summary>
internal sealed record AccountSlice(long AfterAccountId, long ThroughAccountId);

/// <summary>
/// Finds what expires, and which warnings are due, as of a moment, inside the writer's transaction so
/// the run acts on exactly what it found: the stores find the candidates, <see cref="ExpiryPlan"/> decides.
/// Suspended programs are left alone: their points cannot move until they resume, and a later run catches up.
/// </summary>
internal static class ExpiryPlanner
{
    /// <summary>Accounts with points expired by <paramref name="asOf"/>, by account id, at most <paramref name="limit"/>.</summary>
    public static List<DueExpiry> DueExpiries(LedgerWriteTransaction tx, DateTimeOffset asOf, string? program, int limit)
    {
        var lapsed = new List<DueExpiry>();
        foreach (var inactivity in tx.Expiry.InactivityPrograms(program))
        {
            if (ExpiryPlan.LapsedByMicros(inactivity, asOf) is { } expiredMicros)
            {
                tx.Expiry.ReadLapsedBalances(inactivity.ProgramCode, expiredMicros, limit, lapsed);
            }
        }
        var expiredLots = new List<DueExpiry>();
        tx.Expiry.ReadExpiredLots(asOf.ToUnixMicros(), program, limit, expiredLots);
        return ExpiryPlan.DueExpiries(lapsed, expiredLots, limit);
    }

    /// <summary>
    /// Warnings due at one horizon, at most <paramref name="limit"/>: points expiring within it that no warning at
    /// this horizon has covered yet.
    /// </summary>
    public static List<DueWarning> DueWarnings(LedgerWriteTransaction tx, ExpiryHorizon horizon, string? program, int limit)
    {
        var due = new List<DueWarning>();
        tx.Expiry.ReadLotsToWarn(horizon, program, limit, due);
        var balances = new List<InactiveBalance>();
        foreach (var inactivity in tx.Expiry.InactivityPrograms(program))
        {
            var left = limit - due.Count;
            // (Or the policy is too young for any of its deadlines to fall within the horizon.)
            if (left <= 0 || ExpiryPlan.WarnableByMicros(inactivity, horizon) is not { } warnMicros)
            {
                continue;
            }
            balances.Clear();
            tx.Expiry.ReadInactiveBalancesToWarn(
                inactivity, inactivity.Policy.LatestExpiredMicros(horizon.From), warnMicros, horizon.Days, left, balances);
            foreach (var balance in balances)
            {
                due.Add(ExpiryPlan.InactivityWarning(inactivity, balance, horizon.Days));
            }
        }
        return due;
    }
}
