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
/// Finds what expires, and which warnings are due, as of a moment, inside the writer's transaction so
/// the run acts on exactly what it found. Suspended programs are left alone: their points cannot move until
/// they resume, and a later run catches up.
/// </summary>
internal static class ExpiryPlanner
{
    private const string ActiveProgram = "p.status = 1 AND ($program IS NULL OR p.program_code = $program)";

    // Both lot queries compare expires_at_micros, which implies it is not null: that lets SQLite use the
    // indexes of dated open lots, which leave undated ones out.

    /// <summary>Open lots expired by $as_of, summed per account.</summary>
    internal const string ExpiredLotsSql =
        "SELECT l.account_id, a.program_code, a.member_number, SUM(l.remaining_points) FROM point_lots l " +
        "JOIN accounts a ON a.id = l.account_id JOIN partners p ON p.program_code = a.program_code " +
        $"WHERE l.remaining_points > 0 AND l.expires_at_micros <= $as_of AND {ActiveProgram} " +
        "GROUP BY l.account_id, a.program_code, a.member_number ORDER BY l.account_id LIMIT $limit";

    /// <summary>Open lots expiring after $as_of and by $until that no warning at horizon $days has covered, per account.</summary>
    internal const string WarnedLotsSql =
        "SELECT l.account_id, a.program_code, a.member_number, SUM(l.remaining_points), MIN(l.expires_at_micros) FROM point_lots l " +
        "JOIN accounts a ON a.id = l.account_id JOIN partners p ON p.program_code = a.program_code " +
        $"WHERE l.remaining_points > 0 AND l.expires_at_micros > $as_of AND l.expires_at_micros <= $until AND {ActiveProgram} " +
        "AND NOT EXISTS (SELECT 1 FROM expiry_warnings w WHERE w.account_id = l.account_id AND w.lot_id = l.id " +
        "AND w.horizon_days = $days AND w.basis_micros = l.expires_at_micros) " +
        "GROUP BY l.account_id, a.program_code, a.member_number ORDER BY l.account_id LIMIT $limit";

    /// <summary>Accounts with points expired by <paramref name="asOf"/>, by account id, at most <paramref name="limit"/>.</summary>
    public static List<DueExpiry> DueExpiries(WriteSession db, DateTimeOffset asOf, string? program, int limit)
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
                "SELECT id, member_number, balance_points FROM accounts WHERE program_code = $code AND kind = $member " +
                "AND balance_points > 0 AND last_activity_micros <= $expired ORDER BY id LIMIT $limit",
                ("$code", code), ("$member", (int)AccountKind.Member), ("$expired", expiredMicros), ("$limit", limit));
            while (reader.Read())
            {
                due[reader.GetInt64(0)] = new DueExpiry(reader.GetInt64(0), code, reader.GetString(1), reader.GetInt64(2), WholeBalance: true);
            }
        }
        using (var reader = db.Query(ExpiredLotsSql,
            ("$as_of", asOf.ToUnixMicros()), ("$program", program), ("$limit", limit)))
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
    /// Warnings due at one horizon, at most <paramref name="limit"/>: points expiring after <paramref name="from"/>
    /// and by <paramref name="until"/> that no warning at this horizon has covered yet.
    /// </summary>
    public static List<DueWarning> DueWarnings(WriteSession db, DateTimeOffset from, DateTimeOffset until, string? program, int days, int limit)
    {
        var due = LotWarnings(db, from, until, program, days, limit);
        due.AddRange(InactivityWarnings(db, from, until, program, days, limit - due.Count));
        return due;
    }

    private static List<DueWarning> LotWarnings(WriteSession db, DateTimeOffset from, DateTimeOffset until, string? program, int days, int limit)
    {
        var found = new List<DueWarning>();
        using var reader = db.Query(WarnedLotsSql,
            ("$as_of", from.ToUnixMicros()), ("$until", until.ToUnixMicros()), ("$program", program), ("$days", days), ("$limit", limit));
        while (reader.Read())
        {
            found.Add(new DueWarning(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), days, reader.GetInt64(3), reader.GetInt64(4), null));
        }
        return found;
    }

    private static List<DueWarning> InactivityWarnings(
        WriteSession db, DateTimeOffset from, DateTimeOffset until, string? program, int days, int limit)
    {
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
                "SELECT a.id, a.member_number, a.balance_points, MAX(a.last_activity_micros, $since) FROM accounts a " +
                "WHERE a.program_code = $code AND a.kind = $member AND a.balance_points > 0 " +
                "AND (a.last_activity_micros > $expired OR $since > $expired) AND a.last_activity_micros <= $warn " +
                "AND NOT EXISTS (SELECT 1 FROM expiry_warnings w WHERE w.account_id = a.id AND w.lot_id = 0 AND w.horizon_days = $days " +
                "AND w.basis_micros = MAX(a.last_activity_micros, $since)) ORDER BY a.id LIMIT $limit",
                ("$code", code), ("$member", (int)AccountKind.Member), ("$since", sinceMicros), ("$expired", policy.LatestExpiredMicros(from)),
                ("$warn", warnMicros), ("$days", days), ("$limit", limit - found.Count));
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
