using Microsoft.Data.Sqlite;
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
    public async Task<IReadOnlyList<ExpiringPoints>?> ExpiringAsync(
        string programCode, string memberNumber, DateTimeOffset now, IReadOnlyList<int> horizonsDays, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(horizonsDays);
        await using var connection = new SqliteConnection(database.ConnectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        // One snapshot: the balance, its last activity and its lots describe the same moment.
        await using var snapshot = connection.BeginTransaction(deferred: true);
        var account = await ReadAccountAsync(connection, snapshot, programCode, memberNumber, cancellationToken).ConfigureAwait(false);
        if (account is null)
        {
            return null;
        }
        var (accountId, balance, lastActivity, policy) = account.Value;
        var horizons = horizonsDays.Distinct().Order().ToList();
        var lots = await ReadDatedLotsAsync(connection, snapshot, accountId, now.AddDays(horizons.LastOrDefault()), cancellationToken)
            .ConfigureAwait(false);
        var deadline = policy.InactivityDeadline(lastActivity);
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

    private static async Task<(long Id, long Balance, DateTimeOffset LastActivity, ExpiryPolicy Policy)?> ReadAccountAsync(
        SqliteConnection connection, SqliteTransaction snapshot, string programCode, string memberNumber, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = snapshot;
        command.CommandText =
            "SELECT a.id, a.balance_points, a.last_activity_micros, p.expiry_policy, p.expiry_months FROM accounts a " +
            "JOIN partners p ON p.program_code = a.program_code WHERE a.program_code = $program AND a.kind = $member AND a.member_number = $number";
        command.Parameters.AddWithValue("$program", programCode);
        command.Parameters.AddWithValue("$member", (int)AccountKind.Member);
        command.Parameters.AddWithValue("$number", memberNumber);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return null;
        }
        return (reader.GetInt64(0), reader.GetInt64(1), Time.FromMicros(reader.GetInt64(2)),
            new ExpiryPolicy((ExpiryPolicyKind)reader.GetInt32(3), reader.GetInt32(4)));
    }

    private static async Task<List<(DateTimeOffset ExpiresAt, long Points)>> ReadDatedLotsAsync(
        SqliteConnection connection, SqliteTransaction snapshot, long accountId, DateTimeOffset until, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = snapshot;
        command.CommandText =
            "SELECT expires_at_micros, remaining_points FROM point_lots WHERE account_id = $account AND remaining_points > 0 " +
            "AND expires_at_micros <= $until ORDER BY expires_at_micros, id";
        command.Parameters.AddWithValue("$account", accountId);
        command.Parameters.AddWithValue("$until", until.ToUnixMicros());
        var lots = new List<(DateTimeOffset, long)>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            lots.Add((Time.FromMicros(reader.GetInt64(0)), reader.GetInt64(1)));
        }
        return lots;
    }
}
