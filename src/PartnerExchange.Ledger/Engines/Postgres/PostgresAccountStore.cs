using PartnerExchange.Domain.Ledger;
using PartnerExchange.Ledger.Storage;
using PartnerExchange.Ledger.Stores;

namespace PartnerExchange.Ledger.Engines.Postgres;

/// <summary>
/// The accounts table, with the accounts this group has read or written cached, as on SQLite. Sound because every
/// writer of the database holds the ledger's write lock for its whole group (<see cref="PostgresWriteTransaction"/>):
/// only this group changes accounts meanwhile, it records each change here, and a rolled-back request forgets them all.
/// </summary>
internal sealed class PostgresAccountStore(PostgresWriteTransaction tx) : IAccountStore
{
    private readonly Dictionary<AccountRef, (long Id, long BalancePoints)> _accounts = [];

    /// <summary>Forgets every cached account: a new group, or a request rolled back.</summary>
    internal void Forget() => _accounts.Clear();

    public (long Id, long BalancePoints)? Find(AccountRef account)
    {
        if (_accounts.TryGetValue(account, out var known))
        {
            return known;
        }
        using var reader = tx.Query(
            "SELECT id, balance_points FROM accounts WHERE program_code = $1 AND kind = $2 AND member_number = $3",
            account.ProgramCode, (int)account.Kind, account.MemberNumber ?? "");
        if (!reader.Read())
        {
            return null;
        }
        var found = (reader.GetInt64(0), reader.GetInt64(1));
        _accounts[account] = found;
        return found;
    }

    public long Open(AccountRef account)
    {
        var id = tx.InsertReturning(
            "INSERT INTO accounts (program_code, kind, member_number, balance_points, created_at_micros, last_sequence, last_activity_micros) " +
            "VALUES ($1, $2, $3, 0, $4, 0, $4) RETURNING id",
            account.ProgramCode, (int)account.Kind, account.MemberNumber ?? "", tx.NowMicros);
        _accounts[account] = (id, 0);
        return id;
    }

    public BalanceUpdate TryUpdateBalance(in BalanceChange change)
    {
        var updated = tx.Execute(
            BalanceUpdateSql[change.Kind],
            change.AfterPoints, change.Sequence, change.IsActivity, tx.NowMicros, Math.Max(change.AmountPoints, 0),
            Math.Max(-change.AmountPoints, 0), change.AccountId, change.BeforePoints);
        if (updated == 1)
        {
            _accounts[change.Account] = (change.AccountId, change.AfterPoints);
            return BalanceUpdate.Updated;
        }
        // No row matched: either another balance (never overwritten) or a total that would overflow.
        return tx.Scalar("SELECT balance_points FROM accounts WHERE id = $1", change.AccountId) != change.BeforePoints
            ? BalanceUpdate.BalanceChanged
            : BalanceUpdate.TotalWouldOverflow;
    }

    public (long LastActivityMicros, long PolicySinceMicros)? InactivityClock(long accountId)
    {
        using var reader = tx.Query(
            "SELECT a.last_activity_micros, p.expiry_policy_since_micros FROM accounts a JOIN partners p ON p.program_code = a.program_code " +
            "WHERE a.id = $1 AND a.balance_points > 0", accountId);
        return reader.Read() ? (reader.GetInt64(0), reader.GetInt64(1)) : null;
    }

    // Per kind: the balance by compare-and-set, and the kind's totals in the same row. A total that would pass the
    // largest bigint matches no row (PostgreSQL would otherwise fail the statement, and with it the transaction).
    // $1 new balance, $2 sequence, $3 is activity, $4 now, $5 credit, $6 debit, $7 account id, $8 old balance.
    private static readonly Dictionary<TransactionKind, string> BalanceUpdateSql = AccountTotalColumns.Kinds.ToDictionary(
        kind => kind,
        kind =>
        {
            var (credit, debit) = (AccountTotalColumns.Credit(kind), AccountTotalColumns.Debit(kind));
            return "UPDATE accounts SET balance_points = $1, last_sequence = $2, " +
                "last_activity_micros = CASE WHEN $3 THEN $4 ELSE last_activity_micros END, " +
                $"{credit} = {credit} + $5, {debit} = {debit} + $6 " +
                $"WHERE id = $7 AND balance_points = $8 AND {credit} <= {long.MaxValue} - $5 " +
                $"AND {debit} <= {long.MaxValue} - $6";
        });
}
