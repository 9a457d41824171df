using PartnerExchange.Domain.Expiry;
using PartnerExchange.Domain.Ledger;
using PartnerExchange.Ledger.Expiry;
using PartnerExchange.Ledger.Stores;
using PartnerExchange.Ledger.Writing;

namespace PartnerExchange.Ledger.Engines.Sqlite;

/// <summary>The expiry run's reads of lots, accounts and partners, and the expiry_warnings table.</summary>
internal sealed class SqliteExpiryStore(SqliteWriteTransaction tx) : IExpiryStore
{
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

    /// <summary>Open lots expired by $as_of, summed per account.</summary>
    internal const string ExpiredLotsSql = ExpiredLotsWhere + PerAccount;

    /// <summary>Open lots expiring after $as_of and by $until that no warning at horizon $days has covered, per account.</summary>
    internal const string WarnedLotsSql = WarnedLotsWhere + PerAccount;

    public List<InactivityProgram> InactivityPrograms(string? programCode)
    {
        var programs = new List<InactivityProgram>();
        using var reader = tx.Query(
            "SELECT p.program_code, p.expiry_months, p.expiry_policy_since_micros FROM partners p " +
            $"WHERE p.expiry_policy = $inactivity AND {ActiveProgram} ORDER BY p.program_code",
            ("$inactivity", (int)ExpiryPolicyKind.Inactivity), ("$program", programCode));
        while (reader.Read())
        {
            programs.Add(new InactivityProgram(reader.GetString(0), new ExpiryPolicy(ExpiryPolicyKind.Inactivity, reader.GetInt32(1)), reader.GetInt64(2)));
        }
        return programs;
    }

    public void ReadLapsedBalances(string programCode, long expiredMicros, int limit, List<DueExpiry> due)
    {
        using var reader = tx.Query(
            "SELECT a.id, a.member_number, a.balance_points FROM accounts a WHERE a.program_code = $code AND a.kind = $member " +
            "AND a.balance_points > 0 AND a.last_activity_micros <= $expired ORDER BY a.id LIMIT $limit",
            [("$code", programCode), ("$member", (int)AccountKind.Member), ("$expired", expiredMicros), ("$limit", limit)]);
        while (reader.Read())
        {
            due.Add(new DueExpiry(reader.GetInt64(0), programCode, reader.GetString(1), reader.GetInt64(2), WholeBalance: true));
        }
    }

    public void ReadExpiredLots(long asOfMicros, string? programCode, int limit, List<DueExpiry> due)
    {
        using var reader = tx.Query(ExpiredLotsSql,
            [("$as_of", asOfMicros), ("$program", programCode), ("$limit", limit)]);
        while (reader.Read())
        {
            due.Add(new DueExpiry(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetInt64(3), WholeBalance: false));
        }
    }

    public void ReadLotsToWarn(ExpiryHorizon horizon, string? programCode, int limit, List<DueWarning> due)
    {
        var (from, until, days) = horizon;
        using var reader = tx.Query(WarnedLotsSql,
            [("$as_of", from.ToUnixMicros()), ("$until", until.ToUnixMicros()), ("$program", programCode), ("$days", days), ("$limit", limit)]);
        while (reader.Read())
        {
            due.Add(new DueWarning(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), days, reader.GetInt64(3), reader.GetInt64(4), null));
        }
    }

    public void ReadInactiveBalancesToWarn(
        InactivityProgram program, long expiredMicros, long warnMicros, int days, int limit, List<InactiveBalance> due)
    {
        // A clock runs from the later of the last activity and the policy's start: that moment is the warning's
        // basis, so a balance warned under an earlier policy is warned again about its new deadline.
        using var reader = tx.Query(
            "SELECT a.id, a.member_number, a.balance_points, MAX(a.last_activity_micros, $since) FROM accounts a " +
            "WHERE a.program_code = $code AND a.kind = $member AND a.balance_points > 0 " +
            "AND (a.last_activity_micros > $expired OR $since > $expired) AND a.last_activity_micros <= $warn " +
            "AND NOT EXISTS (SELECT 1 FROM expiry_warnings w WHERE w.account_id = a.id AND w.lot_id = 0 AND w.horizon_days = $days " +
            "AND w.basis_micros = MAX(a.last_activity_micros, $since)) ORDER BY a.id LIMIT $limit",
            [("$code", program.ProgramCode), ("$member", (int)AccountKind.Member), ("$since", program.SinceMicros), ("$expired", expiredMicros),
                ("$warn", warnMicros), ("$days", days), ("$limit", limit)]);
        while (reader.Read())
        {
            due.Add(new InactiveBalance(reader.GetInt64(0), reader.GetString(1), reader.GetInt64(2), reader.GetInt64(3)));
        }
    }

    public void RecordInactivityWarning(long accountId, int days, long basisMicros) =>
        tx.Execute(
            "INSERT INTO expiry_warnings (account_id, lot_id, horizon_days, basis_micros, issued_at_micros) " +
            "VALUES ($account, 0, $days, $basis, $now) ON CONFLICT DO NOTHING",
            ("$account", accountId), ("$days", days), ("$basis", basisMicros), ("$now", tx.NowMicros));

    public void RecordLotWarnings(long accountId, int days, ExpiryHorizon horizon) =>
        tx.Execute(
            "INSERT INTO expiry_warnings (account_id, lot_id, horizon_days, basis_micros, issued_at_micros) " +
            "SELECT l.account_id, l.id, $days, l.expires_at_micros, $now FROM point_lots l WHERE l.account_id = $account " +
            "AND l.remaining_points > 0 AND l.expires_at_micros > $as_of AND l.expires_at_micros <= $until ON CONFLICT DO NOTHING",
            ("$account", accountId), ("$days", days), ("$now", tx.NowMicros), ("$as_of", horizon.From.ToUnixMicros()),
            ("$until", horizon.Until.ToUnixMicros()));
}
