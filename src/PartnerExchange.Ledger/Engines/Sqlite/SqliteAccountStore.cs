using PartnerExchange.Domain.Ledger;
using PartnerExchange.Ledger.Storage;
using PartnerExchange.Ledger.Stores;

namespace PartnerExchange.Ledger.Engines.Sqlite;

/// <summary>
/// The accounts table, with the accounts this group has read or written cached, so a conversion looks each one up
/// once (a member is checked for enrollment, then posted to; the system accounts recur in every request). Sound
/// because the group holds SQLite's write lock until it commits: only this writer changes accounts meanwhile, it
/// records each change here, and a rolled-back request forgets them all.
/// </summary>
internal sealed class SqliteAccountStore(SqliteWriteTransaction tx) : IAccountStore
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
            "SELECT id, balance_points FROM accounts WHERE program_code = $program AND kind = $kind AND member_number = $member",
            ("$program", account.ProgramCode), ("$kind", (int)account.Kind), ("$member", account.MemberNumber ?? ""));
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
        var id = tx.Scalar(
            "INSERT INTO accounts (program_code, kind, member_number, balance_points, created_at_micros, last_sequence, last_activity_micros) " +
            "VALUES ($program, $kind, $member, 0, $now, 0, $now) RETURNING id",
            ("$program", account.ProgramCode), ("$kind", (int)account.Kind), ("$member", account.MemberNumber ?? ""),
            ("$now", tx.NowMicros)) ?? throw new InvalidOperationException("INSERT … RETURNING gave no id.");
        _accounts[account] = (id, 0);
        return id;
    }

    public BalanceUpdate TryUpdateBalance(in BalanceChange change)
    {
        var updated = tx.Execute(
            BalanceUpdateSql[change.Kind],
            ("$new", change.AfterPoints), ("$seq", change.Sequence), ("$activity", change.IsActivity), ("$now", tx.NowMicros),
            ("$credit", Math.Max(change.AmountPoints, 0)), ("$debit", Math.Max(-change.AmountPoints, 0)), ("$id", change.AccountId),
            ("$old", change.BeforePoints));
        if (updated == 1)
        {
            _accounts[change.Account] = (change.AccountId, change.AfterPoints);
            return BalanceUpdate.Updated;
        }
        // No row matched: either another balance (never overwritten) or a total that would overflow.
        return tx.Scalar("SELECT balance_points FROM accounts WHERE id = $id", ("$id", change.AccountId)) != change.BeforePoints
            ? BalanceUpdate.BalanceChanged
            : BalanceUpdate.TotalWouldOverflow;
    }

    public (long LastActivityMicros, long PolicySinceMicros)? InactivityClock(long accountId)
    {
        using var reader = tx.Query(
            "SELECT a.last_activity_micros, p.expiry_policy_since_micros FROM accounts a JOIN partners p ON p.program_code = a.program_code " +
            "WHERE a.id = $account AND a.balance_points > 0", ("$account", accountId));
        return reader.Read() ? (reader.GetInt64(0), reader.GetInt64(1)) : null;
    }

    // Per kind: the balance by compare-and-set, and the kind's totals in the same row. A total that would pass the
    // largest integer matches no row (SQLite would otherwise turn it into a float), so it fails loudly instead.
    private static readonly Dictionary<TransactionKind, string> BalanceUpdateSql = AccountTotalColumns.Kinds.ToDictionary(
        kind => kind,
        kind =>
        {
            var (credit, debit) = (AccountTotalColumns.Credit(kind), AccountTotalColumns.Debit(kind));
            return "UPDATE accounts SET balance_points = $new, last_sequence = $seq, " +
                "last_activity_micros = CASE WHEN $activity THEN $now ELSE last_activity_micros END, " +
                $"{credit} = {credit} + $credit, {debit} = {debit} + $debit " +
                $"WHERE id = $id AND balance_points = $old AND {credit} <= {long.MaxValue} - $credit " +
                $"AND {debit} <= {long.MaxValue} - $debit";
        });
}
