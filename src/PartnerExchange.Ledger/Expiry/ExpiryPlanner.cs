using PartnerExchange.Domain.Expiry;
using PartnerExchange.Domain.Ledger;
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
/// a dry run goes through the ledger one such slice at a time. What the run does to one account never changes what
/// it does to another, so the slices add up to the run over all of them.
/// </summary>
public sealed record AccountSlice(long AfterAccountId, long ThroughAccountId);

/// <summary>
/// Finds what expires, and which warnings are due, as of a moment, inside the writer's transaction so
/// the run acts on exactly what it found. Suspended programs are left alone: their points cannot move until
/// they resume, and a later run catches up.
/// </summary>
internal static class ExpiryPlanner
{
    /// <summary>One warning horizon of a run: points expiring after <paramref name="From"/> and by <paramref name="Until"/>.</summary>
    internal sealed record Horizon(DateTimeOffset From, DateTimeOffset Until, int Days);

    private const string ActiveProgram = "p.status = 1 AND ($program IS NULL OR p.program_code = $program)";

    // Both lot queries compare expires_at_micros, which implies it is not null: that lets SQLite use the
    // indexes of dated open lots, which leave undated ones out.

    private const string ExpiredLotsWhere =
        "SELECT l.account_id, a.program_code, a.member_number, SUM(l.remaining_points) FROM point_lots l " +
        "JOIN accounts a ON a.id = l.account_id JOIN partners p ON p.program_code = a.program_code " +
        $"WHERE l.remaining_points > 0 AND l.expires_at_micros <= $as_of AND {ActiveProgram} ";

    private const string WarnedLotsWhere =
        "SELECT l.account_id, a.program_code, a.member_number, SUM(l.remaining_points), MIN(l.expires_at_micros) FROM point_lots l " +
        "JOIN accounts a ON a.id = l.account_id JOIN partners p ON p.program_code = a.program_code " +
        $"WHERE l.remaining_points > 0 AND l.expires_at_micros > $as_of AND l.expires_at_micros <= $until AND {ActiveProgram} " +
        "AND NOT EXISTS (SELECT 1 FROM expiry_warnings w WHERE w.account_id = l.account_id AND w.lot_id = l.id " +
        "AND w.horizon_days = $days AND w.basis_micros = l.expires_at_micros) ";

    private const string PerAccount = "GROUP BY l.account_id, a.program_code, a.member_number ORDER BY l.account_id LIMIT $limit";

    // A slice reads the lots of its accounts alone, through the index by account: a dry run over a large ledger
    // then costs each of its slices the same, not a pass over every dated lot.
    private const string LotsInSlice = "AND l.account_id > $after AND l.account_id <= $through ";

    /// <summary>Open lots expired by $as_of, summed per account.</summary>
    internal const string ExpiredLotsSql = ExpiredLotsWhere + PerAccount;

    /// <summary>As <see cref="ExpiredLotsSql"/>, for the accounts of a slice.</summary>
    internal const string ExpiredLotsInSliceSql = ExpiredLotsWhere + LotsInSlice + PerAccount;

    /// <summary>Open lots expiring after $as_of and by $until that no warning at horizon $days has covered, per account.</summary>
    internal const string WarnedLotsSql = WarnedLotsWhere + PerAccount;

    /// <summary>As <see cref="WarnedLotsSql"/>, for the accounts of a slice.</summary>
    internal const string WarnedLotsInSliceSql = WarnedLotsWhere + LotsInSlice + PerAccount;

    private static (string Name, SqlValue Value)[] SliceParameters(AccountSlice? slice) =>
        slice is null ? [] : [("$after", slice.AfterAccountId), ("$through", slice.ThroughAccountId)];

    private static string AccountsInSlice(AccountSlice? slice) => slice is null ? "" : "AND a.id > $after AND a.id <= $through ";

    // A slice reads its accounts by id range. Left to itself SQLite prefers the index by program and kind, which
    // reads every member of the program for each slice; NOT INDEXED leaves it the id range alone.
    private static string Accounts(AccountSlice? slice) => slice is null ? "accounts a" : "accounts a NOT INDEXED";

    /// <summary>Accounts with points expired by <paramref name="asOf"/>, by account id, at most <paramref name="limit"/>.</summary>
    public static List<DueExpiry> DueExpiries(WriteSession db, DateTimeOffset asOf, string? program, AccountSlice? slice, int limit)
    {
        var due = new SortedDictionary<long, DueExpiry>();
        foreach (var (code, policy, sinceMicros) in InactivityPrograms(db, program))
        {
            var expiredMicros = policy.LatestExpiredMicros(asOf);
            if (sinceMicros > expiredMicros)
            {
                // The policy is younger than its period: no balance can have lapsed under it yet.
                continue;
            }
            using var reader = db.Query(
                $"SELECT a.id, a.member_number, a.balance_points FROM {Accounts(slice)} WHERE a.program_code = $code AND a.kind = $member " +
                $"AND a.balance_points > 0 AND a.last_activity_micros <= $expired {AccountsInSlice(slice)}ORDER BY a.id LIMIT $limit",
                [("$code", code), ("$member", (int)AccountKind.Member), ("$expired", expiredMicros), ("$limit", limit), .. SliceParameters(slice)]);
            while (reader.Read())
            {
                due[reader.GetInt64(0)] = new DueExpiry(reader.GetInt64(0), code, reader.GetString(1), reader.GetInt64(2), WholeBalance: true);
            }
        }
        using (var reader = db.Query(slice is null ? ExpiredLotsSql : ExpiredLotsInSliceSql,
            [("$as_of", asOf.ToUnixMicros()), ("$program", program), ("$limit", limit), .. SliceParameters(slice)]))
        {
            while (reader.Read())
            {
                // A balance expiring whole already includes these lots.
                due.TryAdd(reader.GetInt64(0), new DueExpiry(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetInt64(3), false));
            }
        }
        return due.Values.Take(limit).ToList();
    }

    /// <summary>
    /// Warnings due at one horizon, at most <paramref name="limit"/>: points expiring within it that no warning at
    /// this horizon has covered yet.
    /// </summary>
    public static List<DueWarning> DueWarnings(WriteSession db, Horizon horizon, string? program, AccountSlice? slice, int limit)
    {
        var due = LotWarnings(db, horizon, program, slice, limit);
        due.AddRange(InactivityWarnings(db, horizon, program, slice, limit - due.Count));
        return due;
    }

    private static List<DueWarning> LotWarnings(WriteSession db, Horizon horizon, string? program, AccountSlice? slice, int limit)
    {
        var (from, until, days) = horizon;
        var found = new List<DueWarning>();
        using var reader = db.Query(slice is null ? WarnedLotsSql : WarnedLotsInSliceSql,
            [("$as_of", from.ToUnixMicros()), ("$until", until.ToUnixMicros()), ("$program", program), ("$days", days), ("$limit", limit),
                .. SliceParameters(slice)]);
        while (reader.Read())
        {
            found.Add(new DueWarning(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), days, reader.GetInt64(3), reader.GetInt64(4), null));
        }
        return found;
    }

    private static List<DueWarning> InactivityWarnings(WriteSession db, Horizon horizon, string? program, AccountSlice? slice, int limit)
    {
        var (from, until, days) = horizon;
        var found = new List<DueWarning>();
        foreach (var (code, policy, sinceMicros) in InactivityPrograms(db, program))
        {
            var warnMicros = policy.LatestExpiredMicros(until);
            if (found.Count >= limit || sinceMicros > warnMicros)
            {
                // (Or the policy is too young for any of its deadlines to fall within the horizon.)
                continue;
            }
            // A clock runs from the later of the last activity and the policy's start: that moment is the warning's
            // basis, so a balance warned under an earlier policy is warned again about its new deadline.
            using var reader = db.Query(
                $"SELECT a.id, a.member_number, a.balance_points, MAX(a.last_activity_micros, $since) FROM {Accounts(slice)} " +
                "WHERE a.program_code = $code AND a.kind = $member AND a.balance_points > 0 " +
                "AND (a.last_activity_micros > $expired OR $since > $expired) AND a.last_activity_micros <= $warn " +
                "AND NOT EXISTS (SELECT 1 FROM expiry_warnings w WHERE w.account_id = a.id AND w.lot_id = 0 AND w.horizon_days = $days " +
                $"AND w.basis_micros = MAX(a.last_activity_micros, $since)) {AccountsInSlice(slice)}ORDER BY a.id LIMIT $limit",
                [("$code", code), ("$member", (int)AccountKind.Member), ("$since", sinceMicros), ("$expired", policy.LatestExpiredMicros(from)),
                    ("$warn", warnMicros), ("$days", days), ("$limit", limit - found.Count), .. SliceParameters(slice)]);
            while (reader.Read())
            {
                var clockStart = Time.FromMicros(reader.GetInt64(3));
                var deadline = policy.InactivityDeadline(clockStart, Time.FromMicros(sinceMicros))!.Value.ToUnixMicros();
                found.Add(new DueWarning(reader.GetInt64(0), code, reader.GetString(1), days, reader.GetInt64(2), deadline, reader.GetInt64(3)));
            }
        }
        return found;
    }

    /// <summary>The active programs under an inactivity policy, each with its policy and when that policy took effect.</summary>
    private static List<(string Code, ExpiryPolicy Policy, long SinceMicros)> InactivityPrograms(WriteSession db, string? program)
    {
        var programs = new List<(string, ExpiryPolicy, long)>();
        using var reader = db.Query(
            "SELECT p.program_code, p.expiry_months, p.expiry_policy_since_micros FROM partners p " +
            $"WHERE p.expiry_policy = $inactivity AND {ActiveProgram} ORDER BY p.program_code",
            ("$inactivity", (int)ExpiryPolicyKind.Inactivity), ("$program", program));
        while (reader.Read())
        {
            programs.Add((reader.GetString(0), new ExpiryPolicy(ExpiryPolicyKind.Inactivity, reader.GetInt32(1)), reader.GetInt64(2)));
        }
        return programs;
    }
}
