using System.Globalization;
using PartnerExchange.Domain.Expiry;
using PartnerExchange.Domain.Ledger;

namespace PartnerExchange.Ledger.Writing;

/// <summary>
/// How one transaction's member lines touch lots: by default a credit opens a new lot and a debit spends
/// the oldest lots first (a member's own spending, only those not expired yet). A reversal gives back
/// exactly the lots its original took, and takes first from the lots its original opened. An expiry takes
/// exactly the lots that had expired by its moment.
/// </summary>
internal sealed record LotIntent(TransactionKind Kind, long? ReversesSequence, long? ExpiredByMicros)
{
    /// <summary>Accruals, redemptions and conversions are member activity; reversals and expiries are not.</summary>
    public bool IsActivity => Kind is TransactionKind.Accrual or TransactionKind.Redemption or TransactionKind.Conversion;
}

/// <summary>
/// The lots of member accounts. Invariant, checked by the ledger audit: an account's remaining lot points
/// add up to its balance. Every change to a lot is recorded as a lot movement of its transaction.
/// </summary>
internal static class Lots
{
    // Lots are read a few at a time, the first read smallest: an account may hold hundreds (every accrual
    // opens one) while a spend usually needs one or two, and every lot read costs the writer a table lookup.
    private const int FirstChunkSize = 2;
    private const int MaxChunkSize = 64;

    public static void Credit(WriteSession session, long accountId, AccountRef account, long sequence, long points, LotIntent intent)
    {
        var left = points;
        if (intent.ReversesSequence is { } original)
        {
            left -= Restore(session, accountId, sequence, original, left);
        }
        if (left > 0)
        {
            Open(session, accountId, account.ProgramCode, sequence, left);
        }
    }

    public static void Debit(WriteSession session, long accountId, long sequence, long points, LotIntent intent)
    {
        var left = points;
        if (intent.ExpiredByMicros is { } expiredBy)
        {
            left -= Take(session, accountId, sequence, left,
                "SELECT id, remaining_points FROM point_lots WHERE account_id = $account AND remaining_points > 0 " +
                "AND expires_at_micros <= $by ORDER BY id", ("$by", expiredBy));
        }
        else
        {
            if (intent.ReversesSequence is { } original)
            {
                left -= Take(session, accountId, sequence, left,
                    "SELECT id, remaining_points FROM point_lots WHERE account_id = $account AND remaining_points > 0 " +
                    "AND sequence = $original ORDER BY id", ("$original", original));
            }
            left -= intent.IsActivity
                // A member's spending leaves expired lots to the expiry run (the plan made sure the rest covers it).
                ? Take(session, accountId, sequence, left,
                    "SELECT id, remaining_points FROM point_lots WHERE account_id = $account AND remaining_points > 0 " +
                    "AND (expires_at_micros IS NULL OR expires_at_micros > $now) ORDER BY id", ("$now", session.NowMicros))
                : Take(session, accountId, sequence, left,
                    "SELECT id, remaining_points FROM point_lots WHERE account_id = $account AND remaining_points > 0 " +
                    "ORDER BY id", filter: null);
        }
        if (left != 0)
        {
            throw new InvalidOperationException($"The lots of account {accountId} do not cover its balance ({left} points short).");
        }
    }

    /// <summary>
    /// The points of a member account that have expired by now and that the expiry run has not posted yet:
    /// exactly what a run as of now would take (the whole balance once it has lapsed under an inactivity
    /// policy, else the lots past their date, whatever policy dated them). The member can no longer spend them.
    /// </summary>
    public static long ExpiredUnposted(WriteSession session, long accountId, string programCode, long balancePoints) =>
        LapsedAt(session, accountId, programCode) is not null
            ? balancePoints
            : session.Scalar(ExpiredUnpostedSql, ("$account", accountId), ("$now", session.NowMicros)) ?? 0;

    /// <summary>
    /// The open points of an account past their date, read from the dated-lots index alone (its partial condition
    /// is repeated so SQLite may use it): without it, a member holding thousands of live lots paid for a scan of
    /// them all on every spend.
    /// </summary>
    internal const string ExpiredUnpostedSql =
        "SELECT COALESCE(SUM(remaining_points), 0) FROM point_lots WHERE account_id = $account AND remaining_points > 0 " +
        "AND expires_at_micros IS NOT NULL AND expires_at_micros <= $now";

    /// <summary>
    /// Under an inactivity policy, activity after the deadline does not rescue the balance that had lapsed
    /// before it: its open lots are dated to expire at that deadline (the next run posts them; they cannot be
    /// spent meanwhile, see <see cref="ExpiredUnposted"/>), and the activity starts a new period for what
    /// comes after. Called before the activity moves the account's last activity.
    /// </summary>
    public static void KeepLapsedBalanceExpiring(WriteSession session, long accountId, string programCode)
    {
        if (LapsedAt(session, accountId, programCode) is { } lapsedAt)
        {
            session.Execute(
                "UPDATE point_lots SET expires_at_micros = $deadline WHERE account_id = $account AND remaining_points > 0 " +
                "AND (expires_at_micros IS NULL OR expires_at_micros > $deadline)",
                ("$deadline", lapsedAt.ToUnixMicros()), ("$account", accountId));
        }
    }

    /// <summary>
    /// When the account's balance lapsed, if it has: under an inactivity policy, a balance above zero whose last
    /// activity (or the policy's start, if later) is longer ago than the policy allows. Null under any other policy, or with nothing to lapse.
    /// </summary>
    private static DateTimeOffset? LapsedAt(WriteSession session, long accountId, string programCode)
    {
        var policy = session.ExpiryPolicyOf(programCode);
        if (policy.Kind != ExpiryPolicyKind.Inactivity)
        {
            return null;
        }
        using var reader = session.Query(
            "SELECT a.last_activity_micros, p.expiry_policy_since_micros FROM accounts a JOIN partners p ON p.program_code = a.program_code " +
            "WHERE a.id = $account AND a.balance_points > 0", ("$account", accountId));
        return reader.Read() && policy.InactivityDeadline(Time.FromMicros(reader.GetInt64(0)), Time.FromMicros(reader.GetInt64(1))) is { } deadline
            && deadline <= session.Now
            ? deadline
            : null;
    }

    private static void Open(WriteSession session, long accountId, string programCode, long sequence, long points)
    {
        var policy = session.ExpiryPolicyOf(programCode);
        var expiresAt = policy.LotExpiresAt(session.Now);
        session.Execute(
            "INSERT INTO point_lots (account_id, sequence, earned_at_micros, expires_at_micros, original_points, remaining_points) " +
            "VALUES ($account, $seq, $now, $expires, $points, $points)",
            ("$account", accountId), ("$seq", sequence), ("$now", session.NowMicros),
            ("$expires", expiresAt?.ToUnixMicros()), ("$points", points));
    }

    /// <summary>Gives back, up to <paramref name="points"/>, what the original transaction took from this account's lots.</summary>
    private static long Restore(WriteSession session, long accountId, long sequence, long original, long points)
    {
        var taken = new List<(long LotId, long Points)>();
        using (var reader = session.Query(
            "SELECT m.lot_id, -m.points FROM lot_movements m JOIN point_lots l ON l.id = m.lot_id " +
            "WHERE m.sequence = $original AND l.account_id = $account AND m.points < 0 ORDER BY m.id",
            ("$original", original), ("$account", accountId)))
        {
            while (reader.Read())
            {
                taken.Add((reader.GetInt64(0), reader.GetInt64(1)));
            }
        }
        var restored = 0L;
        foreach (var (lotId, lotPoints) in taken)
        {
            var back = Math.Min(lotPoints, points - restored);
            if (back <= 0)
            {
                break;
            }
            Move(session, lotId, sequence, back);
            restored += back;
        }
        return restored;
    }

    /// <summary>Takes up to <paramref name="points"/> from the lots the query (without its LIMIT) names, in its order.</summary>
    private static long Take(
        WriteSession session, long accountId, long sequence, long points, string sql, (string Name, SqlValue Value)? filter)
    {
        var taken = 0L;
        var chunkSize = FirstChunkSize;
        while (taken < points)
        {
            var lots = new List<(long Id, long Remaining)>(chunkSize);
            (string Name, SqlValue Value)[] parameters = filter is { } extra
                ? [("$account", accountId), extra]
                : [("$account", accountId)];
            // The limit is written into the SQL, not bound: SQLite plans a literal LIMIT better (measured: a
            // bound one made this read take half as long again). The chunk sizes are few, so are the statements.
            using (var reader = session.Query(sql + " LIMIT " + chunkSize.ToString(CultureInfo.InvariantCulture), parameters))
            {
                while (reader.Read())
                {
                    lots.Add((reader.GetInt64(0), reader.GetInt64(1)));
                }
            }
            foreach (var (id, remaining) in lots)
            {
                var take = Math.Min(remaining, points - taken);
                Move(session, id, sequence, -take);
                taken += take;
                if (taken == points)
                {
                    break;
                }
            }
            if (lots.Count < chunkSize)
            {
                break;
            }
            // Every lot read was spent whole, so the next read starts at the next live lot.
            chunkSize = Math.Min(chunkSize * 4, MaxChunkSize);
        }
        return taken;
    }

    private static void Move(WriteSession session, long lotId, long sequence, long points)
    {
        var updated = session.Execute(
            "UPDATE point_lots SET remaining_points = remaining_points + $points WHERE id = $id " +
            "AND remaining_points + $points >= 0 AND remaining_points + $points <= original_points",
            ("$points", points), ("$id", lotId));
        if (updated != 1)
        {
            throw new InvalidOperationException($"Lot {lotId} cannot move by {points} points.");
        }
        session.Execute("INSERT INTO lot_movements (sequence, lot_id, points) VALUES ($seq, $lot, $points)",
            ("$seq", sequence), ("$lot", lotId), ("$points", points));
    }
}
