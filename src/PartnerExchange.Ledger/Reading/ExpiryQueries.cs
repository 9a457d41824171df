using PartnerExchange.Domain.Expiry;
using PartnerExchange.Domain.Ledger;
using PartnerExchange.Ledger.Writing;

namespace PartnerExchange.Ledger.Reading;

/// <summary>Points of a member that expire within a horizon (cumulative), and the first moment some do.</summary>
public sealed record ExpiringPoints(int WithinDays, long Points, DateTimeOffset? FirstExpiresAt);

/// <summary>What a member is about to lose, read from the account's lots and the program's policy.</summary>
public sealed class ExpiryQueries(LedgerDatabase database)
{
    /// <summary>
    /// For each horizon, shortest first, the points that expire within it of <paramref name="now"/>; empty
    /// when the member's points never expire. Null when the member is not enrolled.
    /// </summary>
    public Task<IReadOnlyList<ExpiringPoints>?> ExpiringAsync(
        string programCode, string memberNumber, DateTimeOffset now, IReadOnlyList<int> horizonsDays, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(horizonsDays);
        var horizons = horizonsDays.Distinct().Order().ToList();
        var account = database.Read((programCode, memberNumber, until: now.AddDays(horizons.LastOrDefault())), ReadAccount, cancellationToken);
        return Task.FromResult<IReadOnlyList<ExpiringPoints>?>(account is null ? null : Expiring(account, now, horizons));
    }

    private static List<ExpiringPoints> Expiring(ExpiryView account, DateTimeOffset now, List<int> horizons)
    {
        var (balance, lastActivity, policy, policySince, lots) = account;
        var deadline = policy.InactivityDeadline(lastActivity, policySince);
        if (lots.Count == 0 && (deadline is null || balance == 0) && policy.Kind != ExpiryPolicyKind.LotLifetime)
        {
            return [];
        }
        return horizons.Select(days =>
        {
            var until = now.AddDays(days);
            if (deadline is { } whole && balance > 0 && whole <= until)
            {
                return new ExpiringPoints(days, balance, lots.Count > 0 && lots[0].ExpiresAt < whole ? lots[0].ExpiresAt : whole);
            }
            var within = lots.Where(l => l.ExpiresAt <= until).ToList();
            return new ExpiringPoints(days, within.Sum(l => l.Points), within.Count > 0 ? within[0].ExpiresAt : null);
        }).ToList();
    }

    private sealed record ExpiryView(
        long Balance, DateTimeOffset LastActivity, ExpiryPolicy Policy, DateTimeOffset PolicySince, List<(DateTimeOffset ExpiresAt, long Points)> Lots);

    // One statement, so the balance, its last activity and its lots describe the same moment.
    private static ExpiryView? ReadAccount(ReadConnection connection, (string Program, string Member, DateTimeOffset Until) key)
    {
        using var reader = connection.Command(
            "SELECT a.balance_points, a.last_activity_micros, p.expiry_policy, p.expiry_months, l.expires_at_micros, l.remaining_points, " +
            "p.expiry_policy_since_micros " +
            "FROM accounts a JOIN partners p ON p.program_code = a.program_code LEFT JOIN point_lots l ON l.account_id = a.id " +
            "AND l.remaining_points > 0 AND l.expires_at_micros <= @until " +
            "WHERE a.program_code = @program AND a.kind = @member AND a.member_number = @number ORDER BY l.expires_at_micros, l.id",
            ("@until", key.Until.ToUnixMicros()), ("@program", key.Program), ("@member", (int)AccountKind.Member), ("@number", key.Member))
            .ExecuteReader();
        ExpiryView? view = null;
        while (reader.Read())
        {
            view ??= new ExpiryView(reader.GetInt64(0), Time.FromMicros(reader.GetInt64(1)),
                new ExpiryPolicy((ExpiryPolicyKind)reader.GetInt32(2), reader.GetInt32(3)), Time.FromMicros(reader.GetInt64(6)), []);
            if (!reader.IsDBNull(4))
            {
                view.Lots.Add((Time.FromMicros(reader.GetInt64(4)), reader.GetInt64(5)));
            }
        }
        return view;
    }
}
