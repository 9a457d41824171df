using PartnerExchange.Domain.Expiry;
using PartnerExchange.Ledger.Expiry;
using PartnerExchange.Ledger.Stores;
using PartnerExchange.Ledger.Writing;

namespace PartnerExchange.Ledger.Planning;

/// <summary>A member account holding points, of an active program, as a forecast reads it.</summary>
internal sealed record ForecastAccount(
    long Id, string ProgramCode, ExpiryPolicy Policy, long PolicySinceMicros, long BalancePoints, long LastActivityMicros);

/// <summary>An open dated lot of a forecast's account.</summary>
internal readonly record struct ForecastLot(long AccountId, long LotId, long ExpiresAtMicros, long RemainingPoints);

/// <summary>A warning already issued: per lot (<see cref="LotId"/> 0 for an inactive balance), horizon and basis.</summary>
internal readonly record struct IssuedWarning(long AccountId, long LotId, int HorizonDays, long BasisMicros);

/// <summary>
/// What an expiry run over some accounts would do, worked out from what it would read, over plain values (no I/O):
/// the same decisions as <see cref="ExpireBatch"/> with an unlimited budget, with its own effects on what it reads
/// next kept in memory. An account whose balance expires whole loses every lot and is not warned; an account's
/// expired lots leave it the rest of its balance; a warning covers its lots (or its inactive balance) at its
/// horizon and every longer one. Lots expired by the run's moment never fall within a horizon, which starts at it.
/// </summary>
internal static class ExpiryForecastPlan
{
    public static ExpiryBatchResult Forecast(
        IReadOnlyList<ForecastAccount> accounts, IReadOnlyList<ForecastLot> lots, IReadOnlyCollection<IssuedWarning> issued,
        DateTimeOffset asOf, DateTimeOffset now, IReadOnlyList<int> warningDays)
    {
        var lotsByAccount = lots.ToLookup(l => l.AccountId);
        var warned = new HashSet<IssuedWarning>(issued);
        var asOfMicros = asOf.ToUnixMicros();
        var (expiredPoints, expiredAccounts) = (0L, 0L);
        // What each account holds after the run's expiries; an account expired whole holds no lot either.
        var balances = new Dictionary<long, long>();
        foreach (var account in accounts)
        {
            var program = new InactivityProgram(account.ProgramCode, account.Policy, account.PolicySinceMicros);
            var lapsed = account.Policy.Kind == ExpiryPolicyKind.Inactivity
                && ExpiryPlan.LapsedByMicros(program, asOf) is { } lapsedBy && account.LastActivityMicros <= lapsedBy;
            var expired = lapsed ? account.BalancePoints : lotsByAccount[account.Id].Where(l => l.ExpiresAtMicros <= asOfMicros).Sum(l => l.RemainingPoints);
            if (expired > 0)
            {
                expiredPoints += expired;
                expiredAccounts++;
            }
            balances[account.Id] = account.BalancePoints - expired;
        }
        var warnings = 0L;
        foreach (var (horizon, coveredDays) in ExpiryPlan.WarningHorizons(asOf, now, warningDays))
        {
            // Every account is read at a horizon before any warning of that horizon is recorded, as in a batch.
            var recorded = new List<IssuedWarning>();
            foreach (var account in accounts.Where(a => balances[a.Id] > 0))
            {
                warnings += WarnLots(account, lotsByAccount[account.Id], horizon, coveredDays, warned, recorded);
                warnings += WarnInactiveBalance(account, horizon, coveredDays, warned, recorded);
            }
            warned.UnionWith(recorded);
        }
        return new ExpiryBatchResult(expiredPoints, expiredAccounts, warnings, Full: false);
    }

    private static int WarnLots(
        ForecastAccount account, IEnumerable<ForecastLot> lots, ExpiryHorizon horizon, List<int> coveredDays,
        HashSet<IssuedWarning> warned, List<IssuedWarning> recorded)
    {
        var (fromMicros, untilMicros) = (horizon.From.ToUnixMicros(), horizon.Until.ToUnixMicros());
        var within = lots.Where(l => l.ExpiresAtMicros > fromMicros && l.ExpiresAtMicros <= untilMicros).ToList();
        if (!within.Exists(l => !warned.Contains(new IssuedWarning(account.Id, l.LotId, horizon.Days, l.ExpiresAtMicros))))
        {
            return 0;
        }
        foreach (var lot in within)
        {
            recorded.AddRange(coveredDays.Select(days => new IssuedWarning(account.Id, lot.LotId, days, lot.ExpiresAtMicros)));
        }
        return 1;
    }

    private static int WarnInactiveBalance(
        ForecastAccount account, ExpiryHorizon horizon, List<int> coveredDays, HashSet<IssuedWarning> warned, List<IssuedWarning> recorded)
    {
        var program = new InactivityProgram(account.ProgramCode, account.Policy, account.PolicySinceMicros);
        if (account.Policy.Kind != ExpiryPolicyKind.Inactivity || ExpiryPlan.WarnableByMicros(program, horizon) is not { } warnMicros)
        {
            return 0;
        }
        // Not lapsed by the horizon's start (those the run expires), lapsing by its end, not yet warned about this clock.
        var expiredMicros = account.Policy.LatestExpiredMicros(horizon.From);
        var basis = Math.Max(account.LastActivityMicros, account.PolicySinceMicros);
        var due = (account.LastActivityMicros > expiredMicros || account.PolicySinceMicros > expiredMicros)
            && account.LastActivityMicros <= warnMicros
            && !warned.Contains(new IssuedWarning(account.Id, 0, horizon.Days, basis));
        if (!due)
        {
            return 0;
        }
        recorded.AddRange(coveredDays.Select(days => new IssuedWarning(account.Id, 0, days, basis)));
        return 1;
    }
}
