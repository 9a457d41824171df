using Microsoft.Data.Sqlite;
using SQLitePCL;
using PartnerExchange.Domain;
using PartnerExchange.Domain.Expiry;
using PartnerExchange.Domain.Ledger;
using PartnerExchange.Ledger.Storage;

namespace PartnerExchange.Ledger.Writing;

/// <summary>
/// The writer's view of the database inside one open write transaction. Commands read and write only
/// through it, so every statement of a request lands in the same atomic commit. Not thread-safe: the
/// single writer owns it.
/// </summary>
internal sealed class WriteSession(SqliteConnection connection, TimeProvider clock) : IDisposable
{
    private readonly Dictionary<string, WriteStatement> _statements = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ExpiryPolicy> _expiryPolicies = new(StringComparer.Ordinal);
    // The accounts this group has read or written, so a conversion looks each one up once (a member is checked
    // for enrollment, then posted to; the system accounts recur in every request). Sound because the group
    // holds the write lock until it commits: only this session changes accounts meanwhile, it records each
    // change here, and a rolled-back request forgets them all.
    private readonly Dictionary<AccountRef, (long Id, long BalancePoints)> _accounts = [];
    private long _nextSequence;
    // Read at most once per group, inside its write lock; a period closed by the group itself moves it on.
    private long? _latestClosedPeriodEndMicros;
    private long _requestSequenceMark;
    private long _requestChangesMark;

    /// <summary>The moment the current request is executed, the same for all of its rows.</summary>
    public DateTimeOffset Now { get; private set; }

    public long NowMicros => Now.ToUnixMicros();

    /// <summary>
    /// The end (exclusive) of the latest closed settlement period, 0 when none is closed. Periods never overlap,
    /// so the period that starts last ends last.
    /// </summary>
    public long LatestClosedPeriodEndMicros =>
        _latestClosedPeriodEndMicros ??= Scalar("SELECT end_micros FROM settlement_periods ORDER BY start_micros DESC LIMIT 1") ?? 0;

    /// <summary>Records that the current request closed a period ending at <paramref name="endMicros"/>.</summary>
    internal void NoteClosedPeriod(long endMicros) =>
        _latestClosedPeriodEndMicros = Math.Max(LatestClosedPeriodEndMicros, endMicros);

    /// <summary>
    /// Whether each request of the group runs inside its own savepoint. Without one SQLite copies no pages
    /// aside for undoing it, but a request can then only be refused before its first write.
    /// </summary>
    internal bool IsolatesRequests { get; private set; }

    /// <summary>Starts a group, inside the write transaction just begun on the connection.</summary>
    internal void Begin(bool isolateRequests)
    {
        IsolatesRequests = isolateRequests;
        _accounts.Clear();
        _latestClosedPeriodEndMicros = null;
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

    /// <summary>
    /// Remembers a policy the request read with its partner's row. The first read of a request stands, as in
    /// <see cref="ExpiryPolicyOf"/>: a command that changes a policy opens no lots after it.
    /// </summary>
    internal void NoteExpiryPolicy(string programCode, ExpiryPolicy policy) => _expiryPolicies.TryAdd(programCode, policy);

    /// <summary>Takes the next gap-free sequence number; a rolled-back request hands it back to the next one.</summary>
    public long TakeSequence() => _nextSequence++;

    /// <summary>Marks where the current request starts, so a refusal can undo it alone.</summary>
    internal void OpenRequestSavepoint()
    {
        if (IsolatesRequests)
        {
            Execute("SAVEPOINT request");
        }
        _requestSequenceMark = _nextSequence;
        _requestChangesMark = raw.sqlite3_total_changes(connection.Handle);
    }

    /// <summary>
    /// Undoes the current request's writes and hands its sequence numbers back. Without a savepoint only a
    /// request that wrote nothing can be undone: false means the whole group must go again, isolated.
    /// </summary>
    internal bool TryRollBackRequest()
    {
        _nextSequence = _requestSequenceMark;
        if (!IsolatesRequests)
        {
            return raw.sqlite3_total_changes(connection.Handle) == _requestChangesMark;
        }
        _accounts.Clear();
        _latestClosedPeriodEndMicros = null;
        Execute("ROLLBACK TO request");
        return true;
    }

    internal void ReleaseRequestSavepoint()
    {
        if (IsolatesRequests)
        {
            Execute("RELEASE request");
        }
    }

    /// <summary>Runs a statement: the rows an INSERT, UPDATE or DELETE changed.</summary>
    public int Execute(string sql, params ReadOnlySpan<(string Name, SqlValue Value)> parameters) => Statement(sql).Execute(parameters);

    /// <summary>The first column of the first row as an integer, or null.</summary>
    public long? Scalar(string sql, params ReadOnlySpan<(string Name, SqlValue Value)> parameters) => Statement(sql).Scalar(parameters);

    private WriteStatement Statement(string sql)
    {
        if (!_statements.TryGetValue(sql, out var statement))
        {
            // On the connection's own handle, so the statement runs inside the transaction begun on it.
            statement = new WriteStatement(connection.Handle!, sql);
            _statements.Add(sql, statement);
        }
        return statement;
    }

    /// <summary>Runs a query: its rows, to read and then dispose.</summary>
    public WriteRows Query(string sql, params ReadOnlySpan<(string Name, SqlValue Value)> parameters) => Statement(sql).Query(parameters);

    /// <summary>
    /// Checks balanced postings against their accounts before anything is written: each line's account and its
    /// balance before and after, or the refusal (a member balance never goes below zero, a member never spends
    /// expired points, none overflows).
    /// Refusing before the first write lets the writer skip the savepoint it would otherwise need to undo one.
    /// </summary>
    public Outcome<IReadOnlyList<PlannedLine>> PlanPostings(IReadOnlyList<PostingLine> lines, LotIntent lots)
    {
        if (!PostingRules.IsBalanced(lines))
        {
            throw new InvalidOperationException("Unbalanced postings.");
        }
        var planned = new PlannedLine[lines.Count];
        // Should a transaction post to one account twice, the second line starts from the first's result.
        var running = new Dictionary<AccountRef, long>(lines.Count);
        for (var i = 0; i < lines.Count; i++)
        {
            var line = lines[i];
            var (accountId, stored) = FindOrOpenAccount(line.Account);
            var before = running.GetValueOrDefault(line.Account, stored);
            // A member spends only what has not expired; other debits (reversals, expiries) may take any lot.
            var after = line.Account.IsMember && line.AmountPoints < 0 && lots.IsActivity
                ? BalanceRules.Spend(before, Lots.ExpiredUnposted(this, accountId, line.Account.ProgramCode, before), -line.AmountPoints)
                : BalanceRules.Apply(line.Account.Kind, before, line.AmountPoints);
            if (!after.IsSuccess)
            {
                return after.Refusal;
            }
            running[line.Account] = after.Value;
            planned[i] = new PlannedLine(line, accountId, before, after.Value);
        }
        return planned;
    }

    /// <summary>
    /// Writes planned postings: balances change by compare-and-set, so a concurrent writer in another process
    /// can never be overwritten. Member lines also move the account's lots as <paramref name="lots"/> says,
    /// and activity resets its inactivity clock. Refused with BALANCE_OVERFLOW, after writing part of the
    /// request (which the writer then rolls back), when an account's lifetime total of the kind would pass int64.
    /// </summary>
    public Outcome<Dictionary<AccountRef, long>> Post(long sequence, IReadOnlyList<PlannedLine> planned, LotIntent lots)
    {
        var balances = new Dictionary<AccountRef, long>(planned.Count);
        foreach (var (line, accountId, before, after) in planned)
        {
            var isActivity = line.Account.IsMember && lots.IsActivity;
            if (isActivity)
            {
                Lots.KeepLapsedBalanceExpiring(this, accountId, line.Account.ProgramCode);
            }
            var updated = Execute(
                BalanceUpdateSql[lots.Kind],
                ("$new", after), ("$seq", sequence), ("$activity", isActivity), ("$now", NowMicros),
                ("$credit", Math.Max(line.AmountPoints, 0)), ("$debit", Math.Max(-line.AmountPoints, 0)), ("$id", accountId),
                ("$old", before));
            if (updated != 1)
            {
                return TotalOverflowed(accountId, before);
            }
            _accounts[line.Account] = (accountId, after);
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
            balances[line.Account] = after;
        }
        return balances;
    }

    // An update that matched no row found either another balance (a writer it must never overwrite: a bug or a
    // second writer, so it fails loudly) or a total that would overflow, an ordinary refusal.
    private Refusal TotalOverflowed(long accountId, long expectedBalance)
    {
        if (Scalar("SELECT balance_points FROM accounts WHERE id = $id", ("$id", accountId)) != expectedBalance)
        {
            throw new InvalidOperationException($"Account {accountId} changed under the writer.");
        }
        return Refusal.Of(ErrorReason.BalanceOverflow,
            "An account's lifetime total of this kind of transaction would pass the largest integer the ledger holds.");
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
        if (_accounts.TryGetValue(account, out var known))
        {
            return known;
        }
        using var reader = Query(
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

    public long OpenAccount(AccountRef account)
    {
        var id = Scalar(
            "INSERT INTO accounts (program_code, kind, member_number, balance_points, created_at_micros, last_sequence, last_activity_micros) " +
            "VALUES ($program, $kind, $member, 0, $now, 0, $now) RETURNING id",
            ("$program", account.ProgramCode), ("$kind", (int)account.Kind), ("$member", account.MemberNumber ?? ""),
            ("$now", NowMicros)) ?? throw new InvalidOperationException("INSERT … RETURNING gave no id.");
        _accounts[account] = (id, 0);
        return id;
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

    public void Dispose()
    {
        foreach (var statement in _statements.Values)
        {
            statement.Dispose();
        }
    }
}

/// <summary>One posting line checked against its account: the balance it finds and the one it leaves.</summary>
internal readonly record struct PlannedLine(PostingLine Line, long AccountId, long BalanceBeforePoints, long BalanceAfterPoints);
