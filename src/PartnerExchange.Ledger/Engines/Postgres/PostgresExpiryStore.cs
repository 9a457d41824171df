using PartnerExchange.Domain.Expiry;
using PartnerExchange.Domain.Ledger;
using PartnerExchange.Ledger.Expiry;
using PartnerExchange.Ledger.Stores;
using PartnerExchange.Ledger.Writing;

namespace PartnerExchange.Ledger.Engines.Postgres;

/// <summary>
/// The expiry run's reads of lots, accounts and partners, and the expiry_warnings table: SQLite's queries with
/// positional parameters, sums cast back to bigint (PostgreSQL sums bigints as numeric) and GREATEST for SQLite's
/// two-argument MAX.
/// </summary>
internal sealed class PostgresExpiryStore(PostgresWriteTransaction tx) : IExpiryStore
{
    // $1 is the program, or NULL for every program.
    private const string ActiveProgram = "p.status = 1 AND ($1::text IS NULL OR p.program_code = $1) ";

    // $2 as of, $3 limit.
    private const string ExpiredLotsWhere =
        "SELECT l.account_id, a.program_code, a.member_number, SUM(l.remaining_points)::bigint FROM point_lots l " +
        "JOIN accounts a ON a.id = l.account_id JOIN partners p ON p.program_code = a.program_code " +
        $"WHERE l.remaining_points > 0 AND l.expires_at_micros <= $2 AND {ActiveProgram}";

    // $2 as of, $3 limit, $4 until, $5 horizon days.
    private const string WarnedLotsWhere =
        "SELECT l.account_id, a.program_code, a.member_number, SUM(l.remaining_points)::bigint, MIN(l.expires_at_micros) FROM point_lots l " +
        "JOIN accounts a ON a.id = l.account_id JOIN partners p ON p.program_code = a.program_code " +
        $"WHERE l.remaining_points > 0 AND l.expires_at_micros > $2 AND l.expires_at_micros <= $4 AND {ActiveProgram}" +
        "AND NOT EXISTS (SELECT 1 FROM expiry_warnings w WHERE w.account_id = l.account_id AND w.lot_id = l.id " +
        "AND w.horizon_days = $5 AND w.basis_micros = l.expires_at_micros) ";

    private const string PerAccount = "GROUP BY l.account_id, a.program_code, a.member_number ORDER BY l.account_id LIMIT $3";

    private const string ExpiredLotsSql = ExpiredLotsWhere + PerAccount;

    private const string WarnedLotsSql = WarnedLotsWhere + PerAccount;

    public List<InactivityProgram> InactivityPrograms(string? programCode)
    {
        var programs = new List<InactivityProgram>();
        using var reader = tx.Query(
            "SELECT p.program_code, p.expiry_months, p.expiry_policy_since_micros FROM partners p " +
            $"WHERE p.expiry_policy = $2 AND {ActiveProgram}ORDER BY p.program_code",
            programCode, (int)ExpiryPolicyKind.Inactivity);
        while (reader.Read())
        {
            programs.Add(new InactivityProgram(reader.GetString(0), new ExpiryPolicy(ExpiryPolicyKind.Inactivity, reader.GetInt32(1)), reader.GetInt64(2)));
        }
        return programs;
    }

    public void ReadLapsedBalances(string programCode, long expiredMicros, int limit, List<DueExpiry> due)
    {
        const string lapsed = "SELECT a.id, a.member_number, a.balance_points FROM accounts a WHERE a.program_code = $1 AND a.kind = $2 " +
            "AND a.balance_points > 0 AND a.last_activity_micros <= $3 ";
        const string byId = "ORDER BY a.id LIMIT $4";
        using var reader = tx.Query(lapsed + byId, programCode, (int)AccountKind.Member, expiredMicros, limit);
        while (reader.Read())
        {
            due.Add(new DueExpiry(reader.GetInt64(0), programCode, reader.GetString(1), reader.GetInt64(2), WholeBalance: true));
        }
    }

    public void ReadExpiredLots(long asOfMicros, string? programCode, int limit, List<DueExpiry> due)
    {
        using var reader = tx.Query(ExpiredLotsSql, programCode, asOfMicros, limit);
        while (reader.Read())
        {
            due.Add(new DueExpiry(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetInt64(3), WholeBalance: false));
        }
    }

    public void ReadLotsToWarn(ExpiryHorizon horizon, string? programCode, int limit, List<DueWarning> due)
    {
        var (from, until, days) = horizon;
        using var reader = tx.Query(WarnedLotsSql, programCode, from.ToUnixMicros(), limit, until.ToUnixMicros(), days);
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
        const string inactive =
            "SELECT a.id, a.member_number, a.balance_points, GREATEST(a.last_activity_micros, $3) FROM accounts a " +
            "WHERE a.program_code = $1 AND a.kind = $2 AND a.balance_points > 0 " +
            "AND (a.last_activity_micros > $4 OR $3 > $4) AND a.last_activity_micros <= $5 " +
            "AND NOT EXISTS (SELECT 1 FROM expiry_warnings w WHERE w.account_id = a.id AND w.lot_id = 0 AND w.horizon_days = $6 " +
            "AND w.basis_micros = GREATEST(a.last_activity_micros, $3)) ";
        const string byId = "ORDER BY a.id LIMIT $7";
        using var reader = tx.Query(
            inactive + byId, program.ProgramCode, (int)AccountKind.Member, program.SinceMicros, expiredMicros, warnMicros, days, limit);
        while (reader.Read())
        {
            due.Add(new InactiveBalance(reader.GetInt64(0), reader.GetString(1), reader.GetInt64(2), reader.GetInt64(3)));
        }
    }

    public void RecordInactivityWarning(long accountId, int days, long basisMicros) =>
        tx.Execute(
            "INSERT INTO expiry_warnings (account_id, lot_id, horizon_days, basis_micros, issued_at_micros) " +
            "VALUES ($1, 0, $2, $3, $4) ON CONFLICT DO NOTHING",
            accountId, days, basisMicros, tx.NowMicros);

    public void RecordLotWarnings(long accountId, int days, ExpiryHorizon horizon) =>
        tx.Execute(
            "INSERT INTO expiry_warnings (account_id, lot_id, horizon_days, basis_micros, issued_at_micros) " +
            "SELECT l.account_id, l.id, $2, l.expires_at_micros, $3 FROM point_lots l WHERE l.account_id = $1 " +
            "AND l.remaining_points > 0 AND l.expires_at_micros > $4 AND l.expires_at_micros <= $5 ON CONFLICT DO NOTHING",
            accountId, days, tx.NowMicros, horizon.From.ToUnixMicros(), horizon.Until.ToUnixMicros());
}
