using PartnerExchange.Domain.Ledger;

namespace PartnerExchange.Ledger.Tests.Expiry;

/// <summary>
/// An in-memory model of member lots, written from the documented rules alone: a credit opens a lot, a member's
/// spending takes the oldest unexpired lots first and never points that have expired (even before a run posts
/// them), another debit takes the oldest lots first, a reversal gives back exactly what its original took and takes first from
/// the lots its original opened, an expiry takes the lots expired by its moment (under inactivity the whole
/// balance, oldest first), activity after an inactivity deadline leaves the lapsed lots dated to expire at
/// it, and a transaction whose credited points have (partly) expired can no longer be reversed. The property test runs the same steps on it and on the real ledger.
/// </summary>
internal sealed class LotModel(Dictionary<string, ProgramRules> programs)
{
    private readonly List<ModelLot> _lots = [];
    private readonly Dictionary<long, List<(ModelLot Lot, long Points)>> _movements = [];
    private readonly Dictionary<string, ModelAccount> _accounts = new(StringComparer.Ordinal);
    private long _nextSequence = 1;

    public List<ModelTransaction> Transactions { get; } = [];

    public IReadOnlyList<ModelLot> Lots => _lots;

    public IEnumerable<ModelAccount> Accounts => _accounts.Values;

    /// <summary>
    /// A program's policy now; it applies to lots credited from now on, and to inactivity from its start on: an
    /// inactivity clock runs from the later of the last activity and the moment the policy took effect.
    /// </summary>
    public ProgramRules RulesOf(string program) => programs[program];

    /// <summary>Sets a program's policy at <paramref name="now"/>; setting the policy it already has changes nothing.</summary>
    public void SetRules(string program, ProgramRules rules, DateTimeOffset now)
    {
        var current = programs[program];
        if ((current.LotMonths, current.InactivityMonths) != (rules.LotMonths, rules.InactivityMonths))
        {
            programs[program] = rules with { Since = now };
        }
    }

    /// <summary>When the account's balance lapses through inactivity, or null when its program has no such policy.</summary>
    public DateTimeOffset? InactivityDeadline(ModelAccount account) =>
        programs[account.Program] is { InactivityMonths: { } months } rules
            ? (account.LastActivity > rules.Since ? account.LastActivity : rules.Since).AddMonths(months)
            : null;

    public void Enroll(string program, string member, long accountId, DateTimeOffset now) =>
        _accounts.Add(Key(program, member), new ModelAccount(program, member, accountId) { LastActivity = now });

    public ModelTransaction? Accrue(string program, string member, long points, DateTimeOffset now)
    {
        var tx = Begin(TransactionKind.Accrual, program);
        Credit(Account(program, member), tx, points, now);
        return Commit(tx);
    }

    public ModelTransaction? Redeem(string program, string member, long points, DateTimeOffset now)
    {
        var account = Account(program, member);
        if (account.Balance - ExpiredUnposted(account, now) < points)
        {
            return null;
        }
        var tx = Begin(TransactionKind.Redemption, program);
        KeepLapsedBalanceExpiring(account, now);
        Debit(account, tx, points, preferSequence: null, unexpiredAt: now);
        Touch(account, now);
        return Commit(tx);
    }

    /// <summary>A conversion at 2:1 (the test's rates), no fee.</summary>
    public ModelTransaction? Convert(string program, string member, string toProgram, string toMember, long sourcePoints, DateTimeOffset now)
    {
        var source = Account(program, member);
        if (source.Balance - ExpiredUnposted(source, now) < sourcePoints)
        {
            return null;
        }
        var tx = Begin(TransactionKind.Conversion, program);
        KeepLapsedBalanceExpiring(source, now);
        Debit(source, tx, sourcePoints, preferSequence: null, unexpiredAt: now);
        Touch(source, now);
        Credit(Account(toProgram, toMember), tx, sourcePoints / 2, now);
        return Commit(tx);
    }

    public ModelTransaction? Reverse(ModelTransaction original, DateTimeOffset now)
    {
        if (original.Reversed || original.Kind is TransactionKind.Reversal or TransactionKind.Expiry)
        {
            return null;
        }
        // Points the original credited that have expired are gone: taking them back would charge the member twice.
        if (_lots.Any(l => l.Sequence == original.Sequence && l.TouchedByExpiry))
        {
            return null;
        }
        // Every line is undone or none: a member who spent what the original gave cannot be debited.
        if (original.Lines.Any(l => l.Amount > 0 && l.Account.Balance < l.Amount))
        {
            return null;
        }
        var tx = Begin(TransactionKind.Reversal, original.Requester);
        foreach (var (account, amount) in original.Lines)
        {
            if (amount < 0)
            {
                var left = -amount - Restore(account, tx, original.Sequence, -amount);
                if (left > 0)
                {
                    Open(account, tx, left, now);
                }
                tx.Lines.Add((account, -amount));
                account.Balance += -amount;
            }
            else
            {
                Debit(account, tx, amount, preferSequence: original.Sequence);
            }
        }
        original.Reversed = true;
        return Commit(tx);
    }

    /// <summary>One expiry batch as of <paramref name="asOf"/>: (points, accounts, full); applied unless a dry run.</summary>
    public (long Points, long Accounts, bool Full) Expire(DateTimeOffset asOf, int budget, bool dryRun)
    {
        var due = new SortedDictionary<long, (ModelAccount Account, long Points, bool Whole)>();
        foreach (var account in _accounts.Values)
        {
            if (InactivityDeadline(account) is { } deadline && account.Balance > 0 && deadline <= asOf)
            {
                due[account.Id] = (account, account.Balance, true);
                continue;
            }
            var expired = ExpiredLots(account, asOf).Sum(l => l.Remaining);
            if (expired > 0)
            {
                due[account.Id] = (account, expired, false);
            }
        }
        var batch = due.Values.Take(budget).ToList();
        if (!dryRun)
        {
            foreach (var (account, points, whole) in batch)
            {
                var tx = Begin(TransactionKind.Expiry, account.Program);
                if (whole)
                {
                    Debit(account, tx, points, preferSequence: null);
                    foreach (var (lot, _) in _movements[tx.Sequence])
                    {
                        lot.TouchedByExpiry = true;
                    }
                }
                else
                {
                    foreach (var lot in ExpiredLots(account, asOf).ToList())
                    {
                        Move(lot, tx, -lot.Remaining);
                        lot.TouchedByExpiry = true;
                    }
                    tx.Lines.Add((account, -points));
                    account.Balance -= points;
                }
                Commit(tx);
            }
        }
        return (batch.Sum(d => d.Points), batch.Count, budget - batch.Count <= 0);
    }

    /// <summary>What a run as of <paramref name="now"/> would expire: a lapsed balance whole, else the lots past their date.</summary>
    private long ExpiredUnposted(ModelAccount account, DateTimeOffset now) =>
        InactivityDeadline(account) is { } deadline && account.Balance > 0 && deadline <= now
            ? account.Balance
            : ExpiredLots(account, now).Sum(l => l.Remaining);

    private IEnumerable<ModelLot> ExpiredLots(ModelAccount account, DateTimeOffset asOf) =>
        _lots.Where(l => l.Account == account && l.Remaining > 0 && l.ExpiresAt is { } at && at <= asOf);

    private static string Key(string program, string member) => program + "/" + member;

    private ModelAccount Account(string program, string member) => _accounts[Key(program, member)];

    private ModelTransaction Begin(TransactionKind kind, string requester) => new(_nextSequence, kind, requester);

    private ModelTransaction Commit(ModelTransaction tx)
    {
        _nextSequence++;
        Transactions.Add(tx);
        return tx;
    }

    private static void Touch(ModelAccount account, DateTimeOffset now) => account.LastActivity = now;

    /// <summary>
    /// Activity after an inactivity deadline does not rescue the balance that lapsed at it: its open lots are
    /// dated to expire at the deadline (the next run posts them; they cannot be spent meanwhile), before the
    /// activity starts a new period.
    /// </summary>
    private void KeepLapsedBalanceExpiring(ModelAccount account, DateTimeOffset now)
    {
        if (InactivityDeadline(account) is not { } deadline || account.Balance <= 0 || deadline > now)
        {
            return;
        }
        foreach (var lot in _lots.Where(l => l.Account == account && l.Remaining > 0 && (l.ExpiresAt is null || l.ExpiresAt > deadline)))
        {
            lot.ExpiresAt = deadline;
        }
    }

    /// <summary>A credit that is member activity (an accrual, a conversion in).</summary>
    private void Credit(ModelAccount account, ModelTransaction tx, long points, DateTimeOffset now)
    {
        KeepLapsedBalanceExpiring(account, now);
        Open(account, tx, points, now);
        tx.Lines.Add((account, points));
        account.Balance += points;
        Touch(account, now);
    }

    private void Open(ModelAccount account, ModelTransaction tx, long points, DateTimeOffset now) =>
        _lots.Add(new ModelLot(account, tx.Sequence, programs[account.Program].LotMonths is { } months ? now.AddMonths(months) : null, points)
        {
            Remaining = points,
        });

    /// <summary>Takes <paramref name="points"/> from the oldest lots, or only from those not expired at <paramref name="unexpiredAt"/>.</summary>
    private void Debit(ModelAccount account, ModelTransaction tx, long points, long? preferSequence, DateTimeOffset? unexpiredAt = null)
    {
        var left = points;
        var own = preferSequence is { } sequence ? _lots.Where(l => l.Account == account && l.Sequence == sequence) : [];
        var spendable = _lots.Where(l => l.Account == account && (unexpiredAt is not { } at || l.ExpiresAt is null || l.ExpiresAt > at));
        foreach (var lot in own.Concat(spendable).ToList())
        {
            var take = Math.Min(lot.Remaining, left);
            if (take > 0)
            {
                Move(lot, tx, -take);
                left -= take;
            }
        }
        Assert.Equal(0, left);
        tx.Lines.Add((account, -points));
        account.Balance -= points;
    }

    private long Restore(ModelAccount account, ModelTransaction tx, long original, long points)
    {
        var restored = 0L;
        foreach (var (lot, moved) in _movements.GetValueOrDefault(original, []).Where(m => m.Lot.Account == account && m.Points < 0).ToList())
        {
            var back = Math.Min(-moved, points - restored);
            if (back <= 0)
            {
                break;
            }
            Move(lot, tx, back);
            restored += back;
        }
        return restored;
    }

    private void Move(ModelLot lot, ModelTransaction tx, long points)
    {
        lot.Remaining += points;
        Assert.InRange(lot.Remaining, 0, lot.Original);
        if (!_movements.TryGetValue(tx.Sequence, out var moves))
        {
            _movements[tx.Sequence] = moves = [];
        }
        moves.Add((lot, points));
    }
}

/// <summary>A program's policy in the model: lot lifetime months, or inactivity months, and when it took effect.</summary>
internal sealed record ProgramRules(int? LotMonths, int? InactivityMonths)
{
    public DateTimeOffset Since { get; init; } = DateTimeOffset.MinValue;
}

internal sealed class ModelAccount(string program, string member, long id)
{
    public string Program { get; } = program;
    public string Member { get; } = member;
    public long Id { get; } = id;
    public long Balance { get; set; }
    public DateTimeOffset LastActivity { get; set; }
}

internal sealed class ModelLot(ModelAccount account, long sequence, DateTimeOffset? expiresAt, long original)
{
    public ModelAccount Account { get; } = account;
    public long Sequence { get; } = sequence;
    public DateTimeOffset? ExpiresAt { get; set; } = expiresAt;
    public long Original { get; } = original;
    public long Remaining { get; set; }

    /// <summary>An expiry has taken points from this lot.</summary>
    public bool TouchedByExpiry { get; set; }
}

internal sealed class ModelTransaction(long sequence, TransactionKind kind, string requester)
{
    public long Sequence { get; } = sequence;
    public TransactionKind Kind { get; } = kind;
    public string Requester { get; } = requester;
    public string? TransactionId { get; set; }
    public bool Reversed { get; set; }

    /// <summary>The member lines, in posting order: (account, signed points).</summary>
    public List<(ModelAccount Account, long Amount)> Lines { get; } = [];
}
