using Microsoft.Data.Sqlite;
using PartnerExchange.Domain;
using PartnerExchange.Domain.Expiry;
using PartnerExchange.Domain.Ledger;

namespace PartnerExchange.Ledger.Writing;

/// <summary>
/// The writer's view of the database inside one open write transaction. Commands read and write only
/// through it, so every statement of a request lands in the same atomic commit. Not thread-safe: the
/// single writer owns it.
/// </summary>
internal sealed class WriteSession(SqliteConnection connection, TimeProvider clock)
{
    private readonly Dictionary<string, SqliteCommand> _commands = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ExpiryPolicy> _expiryPolicies = new(StringComparer.Ordinal);
    private SqliteTransaction? _transaction;
    private long _nextSequence;

    /// <summary>The moment the current request is executed, the same for all of its rows.</summary>
    public DateTimeOffset Now { get; private set; }

    public long NowMicros => Now.ToUnixMicros();

    internal void Begin(SqliteTransaction transaction)
    {
        _transaction = transaction;
        foreach (var command in _commands.Values)
        {
            command.Transaction = transaction;
        }
        // Read the next sequence inside the write lock, so another process writing the same file cannot
        // make us reuse a number.
        _nextSequence = Scalar("SELECT COALESCE(MAX(sequence), 0) + 1 FROM transactions") ?? 1;
    }

    /// <summary>Who asked for the request being executed, recorded on every transaction it writes.</summary>
    public IdempotencyScope Request { get; private set; } = null!;

    internal void StartRequest(IdempotencyScope request)
    {
        Request = request;
        _expiryPolicies.Clear();
        // Whole microseconds, the precision stored, so a response and a later read show the same time.
        var now = clock.GetUtcNow();
        Now = now.AddTicks(-(now.UtcTicks % 10));
    }

    /// <summary>
    /// A program's expiry policy, read once per request: every lot a request opens or checks sees the same
    /// policy (a policy change is a request of its own).
    /// </summary>
    public ExpiryPolicy ExpiryPolicyOf(string programCode)
    {
        if (!_expiryPolicies.TryGetValue(programCode, out var policy))
        {
            policy = Lookups.ExpiryPolicyOf(this, programCode);
            _expiryPolicies[programCode] = policy;
        }
        return policy;
    }

    /// <summary>Takes the next gap-free sequence number; a rolled-back request hands it back to the next one.</summary>
    public long TakeSequence() => _nextSequence++;

    internal long PeekSequence() => _nextSequence;

    internal void RewindSequence(long mark) => _nextSequence = mark;

    public int Execute(string sql, params (string Name, object? Value)[] parameters)
    {
        var command = Prepare(sql, parameters);
        return command.ExecuteNonQuery();
    }

    public long? Scalar(string sql, params (string Name, object? Value)[] parameters)
    {
        var command = Prepare(sql, parameters);
        var result = command.ExecuteScalar();
        return result is null or DBNull ? null : Convert.ToInt64(result, System.Globalization.CultureInfo.InvariantCulture);
    }

    public SqliteDataReader Query(string sql, params (string Name, object? Value)[] parameters)
    {
        var command = Prepare(sql, parameters);
        return command.ExecuteReader();
    }

    private SqliteCommand Prepare(string sql, (string Name, object? Value)[] parameters)
    {
        if (!_commands.TryGetValue(sql, out var command))
        {
            command = connection.CreateCommand();
            command.CommandText = sql;
            command.Transaction = _transaction;
            _commands.Add(sql, command);
        }
        command.Parameters.Clear();
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }
        return command;
    }

    /// <summary>
    /// Applies balanced postings to their accounts. Balances change by compare-and-set, so a concurrent
    /// writer in another process can never be overwritten; a member balance never goes below zero.
    /// </summary>
    /// <remarks>Member lines also move the account's lots as <paramref name="lots"/> says, and activity resets its inactivity clock.</remarks>
    public Outcome<IReadOnlyDictionary<AccountRef, long>> Post(long sequence, IReadOnlyList<PostingLine> lines, LotIntent lots)
    {
        if (!PostingRules.IsBalanced(lines))
        {
            throw new InvalidOperationException($"Unbalanced postings for transaction {sequence}.");
        }
        var balances = new Dictionary<AccountRef, long>(lines.Count);
        foreach (var line in lines)
        {
            var (accountId, balance) = FindOrOpenAccount(line.Account);
            var next = BalanceRules.Apply(line.Account.Kind, balance, line.AmountPoints);
            if (!next.IsSuccess)
            {
                return next.Refusal;
            }
            var isActivity = line.Account.IsMember && lots.IsActivity;
            if (isActivity)
            {
                Lots.KeepLapsedBalanceExpiring(this, accountId, line.Account.ProgramCode);
            }
            var updated = Execute(
                "UPDATE accounts SET balance_points = $new, last_sequence = $seq, " +
                "last_activity_micros = CASE WHEN $activity THEN $now ELSE last_activity_micros END " +
                "WHERE id = $id AND balance_points = $old",
                ("$new", next.Value), ("$seq", sequence), ("$activity", isActivity), ("$now", NowMicros), ("$id", accountId),
                ("$old", balance));
            if (updated != 1)
            {
                throw new InvalidOperationException($"Account {accountId} changed under the writer.");
            }
            if (line.Account.IsMember)
            {
                MoveLots(accountId, line, sequence, lots);
            }
            Execute(
                "INSERT INTO postings (sequence, account_id, program_code, account_kind, member_number, amount_points) " +
                "VALUES ($seq, $account, $program, $kind, $member, $amount)",
                ("$seq", sequence), ("$account", accountId), ("$program", line.Account.ProgramCode),
                ("$kind", (int)line.Account.Kind), ("$member", line.Account.MemberNumber ?? ""),
                ("$amount", line.AmountPoints));
            balances[line.Account] = next.Value;
        }
        return balances;
    }

    private void MoveLots(long accountId, PostingLine line, long sequence, LotIntent lots)
    {
        if (line.AmountPoints > 0)
        {
            Lots.Credit(this, accountId, line.Account, sequence, line.AmountPoints, lots);
        }
        else
        {
            Lots.Debit(this, accountId, sequence, -line.AmountPoints, lots);
        }
    }

    /// <summary>The id and balance of an account, or null when a member account does not exist.</summary>
    public (long Id, long BalancePoints)? FindAccount(AccountRef account)
    {
        using var reader = Query(
            "SELECT id, balance_points FROM accounts WHERE program_code = $program AND kind = $kind AND member_number = $member",
            ("$program", account.ProgramCode), ("$kind", (int)account.Kind), ("$member", account.MemberNumber ?? ""));
        return reader.Read() ? (reader.GetInt64(0), reader.GetInt64(1)) : null;
    }

    public long OpenAccount(AccountRef account)
    {
        return Scalar(
            "INSERT INTO accounts (program_code, kind, member_number, balance_points, created_at_micros, last_sequence, last_activity_micros) " +
            "VALUES ($program, $kind, $member, 0, $now, 0, $now) RETURNING id",
            ("$program", account.ProgramCode), ("$kind", (int)account.Kind), ("$member", account.MemberNumber ?? ""),
            ("$now", NowMicros)) ?? throw new InvalidOperationException("INSERT … RETURNING gave no id.");
    }

    private (long Id, long BalancePoints) FindOrOpenAccount(AccountRef account)
    {
        if (FindAccount(account) is { } found)
        {
            return found;
        }
        // Member accounts exist only through enrollment; commands check that before posting.
        if (account.Kind == AccountKind.Member)
        {
            throw new InvalidOperationException($"Posting to member {account.MemberNumber} who is not enrolled.");
        }
        return (OpenAccount(account), 0);
    }
}
