using PartnerExchange.Domain;
using PartnerExchange.Domain.Expiry;
using PartnerExchange.Domain.Ledger;
using PartnerExchange.Ledger.Planning;
using PartnerExchange.Ledger.Writing;

namespace PartnerExchange.Ledger.Expiry;

/// <summary>
/// A dry run of expiry: what a run as of a moment would expire and warn, read from the ledger and never written, so
/// it takes no turn of the writer and no partner's write waits behind it, however large the ledger. It goes through
/// the member accounts a slice of ids at a time, each slice read in one statement (one consistent state) and worked
/// out by <see cref="ExpiryForecastPlan"/>: what a run does to one account never changes what it does to another, so
/// the slices add up to the run over all of them.
/// </summary>
public sealed class ExpiryForecast
{
    /// <summary>
    /// Account ids read per statement: enough that a statement's cost is mostly rows, few enough that a slice's lots
    /// and warnings stay small in memory.
    /// </summary>
    private const int DefaultAccountIdsPerSlice = 512;

    private readonly LedgerDatabase _database;
    private readonly int _accountIdsPerSlice;

    /// <summary>A forecast over <paramref name="database"/>.</summary>
    public ExpiryForecast(LedgerDatabase database)
        : this(database, DefaultAccountIdsPerSlice)
    {
    }

    internal ExpiryForecast(LedgerDatabase database, int accountIdsPerSlice)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(accountIdsPerSlice, 1);
        (_database, _accountIdsPerSlice) = (database, accountIdsPerSlice);
    }

    // Member accounts holding points in the active programs asked for, their open dated lots expiring by the last
    // horizon, and the warnings issued about their open lots or their balances. The concatenation keeps SQLite on the
    // id range rather than the index by program, which would read every member of the program for each slice.
    internal const string SliceSql =
        "SELECT 0, a.id, a.balance_points, a.last_activity_micros, p.expiry_policy, p.expiry_months, p.expiry_policy_since_micros, a.program_code " +
        "FROM accounts a JOIN partners p ON p.program_code = a.program_code || '' " + InSlice +
        "UNION ALL SELECT 1, l.account_id, l.id, l.expires_at_micros, l.remaining_points, 0, 0, NULL " +
        "FROM accounts a JOIN partners p ON p.program_code = a.program_code || '' JOIN point_lots l ON l.account_id = a.id " + InSlice +
        "AND l.remaining_points > 0 AND l.expires_at_micros <= @until " +
        "UNION ALL SELECT 2, w.account_id, w.lot_id, w.horizon_days, w.basis_micros, 0, 0, NULL FROM expiry_warnings w " +
        "WHERE w.account_id > @after AND w.account_id <= @through AND (w.lot_id = 0 OR EXISTS (SELECT 1 FROM point_lots l " +
        "WHERE l.id = w.lot_id AND l.remaining_points > 0 AND l.expires_at_micros = w.basis_micros AND l.expires_at_micros <= @until))";

    private const string InSlice =
        "WHERE a.id > @after AND a.id <= @through AND a.kind = @member AND a.balance_points > 0 AND p.status = 1 " +
        "AND (CAST(@program AS TEXT) IS NULL OR p.program_code = @program) ";

    /// <summary>
    /// What a run as of <paramref name="asOf"/> (in the past or the future) would do if it ran at
    /// <paramref name="now"/>: points and accounts it would expire and warnings it would emit. PARTNER_NOT_FOUND
    /// for an unknown program. Accounts opened while the forecast goes are left out.
    /// </summary>
    public async Task<Outcome<ExpiryBatchResult>> ForecastAsync(
        DateTimeOffset asOf, string? programCode, IReadOnlyList<int> warningDays, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(warningDays);
        if (programCode is not null && !_database.Read(programCode, PartnerExists, cancellationToken))
        {
            return Commands.Partners.NotFound(programCode);
        }
        var lastAccountId = _database.Read(0, LastAccountId, cancellationToken);
        var until = asOf.AddDays(warningDays.Count == 0 ? 0 : warningDays.Max()).ToUnixMicros();
        var total = new ExpiryBatchResult(0, 0, 0, Full: false);
        for (var after = 0L; after < lastAccountId; after += _accountIdsPerSlice)
        {
            var slice = new SliceQuery(new AccountSlice(after, Math.Min(after + _accountIdsPerSlice, lastAccountId)), programCode, until);
            var (accounts, lots, warned) = _database.Read(slice, ReadSlice, cancellationToken);
            var done = ExpiryForecastPlan.Forecast(accounts, lots, warned, asOf, now, warningDays);
            total = new ExpiryBatchResult(
                total.ExpiredPoints + done.ExpiredPoints, total.ExpiredAccounts + done.ExpiredAccounts, total.Warnings + done.Warnings, Full: false);
            // Reads are synchronous: give the thread back between slices, so a long forecast never holds one for long.
            await Task.Yield();
        }
        return total;
    }

    private sealed record SliceQuery(AccountSlice Slice, string? ProgramCode, long UntilMicros);

    private static bool PartnerExists(ReadConnection connection, string programCode) =>
        connection.Command("SELECT COUNT(*) FROM partners WHERE program_code = @code", ("@code", programCode)).ExecuteScalar() is long and > 0;

    private static long LastAccountId(ReadConnection connection, int unused) =>
        connection.Command("SELECT COALESCE(MAX(id), 0) FROM accounts").ExecuteScalar() is long id ? id : 0;

    private static (List<ForecastAccount>, List<ForecastLot>, List<IssuedWarning>) ReadSlice(ReadConnection connection, SliceQuery query)
    {
        var (accounts, lots, warned) = (new List<ForecastAccount>(), new List<ForecastLot>(), new List<IssuedWarning>());
        using var reader = connection.Command(SliceSql,
            ("@after", query.Slice.AfterAccountId), ("@through", query.Slice.ThroughAccountId), ("@member", (int)AccountKind.Member),
            ("@program", query.ProgramCode), ("@until", query.UntilMicros)).ExecuteReader();
        while (reader.Read())
        {
            var (id, a, b, c) = (reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4));
            switch (reader.GetInt32(0))
            {
                case 0:
                    var policy = new ExpiryPolicy((ExpiryPolicyKind)c, reader.GetInt32(5));
                    accounts.Add(new ForecastAccount(id, reader.GetString(7), policy, reader.GetInt64(6), BalancePoints: a, LastActivityMicros: b));
                    break;
                case 1:
                    lots.Add(new ForecastLot(id, LotId: a, ExpiresAtMicros: b, RemainingPoints: c));
                    break;
                default:
                    warned.Add(new IssuedWarning(id, LotId: a, HorizonDays: (int)b, BasisMicros: c));
                    break;
            }
        }
        return (accounts, lots, warned);
    }
}
