using PartnerExchange.Domain.Expiry;
using PartnerExchange.Ledger.Writing;

namespace PartnerExchange.Ledger.Stores;

/// <summary>
/// The writer's one open write transaction: the only way commands reach the ledger's stores, so every read and
/// write of a request lands in the same atomic commit. It hands out the gap-free sequence numbers and keeps a
/// savepoint per request; each engine implements it (see Engines/). Not thread-safe: the single writer owns it.
/// </summary>
internal abstract class LedgerWriteTransaction(TimeProvider clock) : IDisposable
{
    private readonly Dictionary<string, ExpiryPolicy> _expiryPolicies = new(StringComparer.Ordinal);
    // Read at most once per group, inside its write transaction; a period closed by the group itself moves it on.
    private long? _latestClosedPeriodEndMicros;

    /// <summary>The moment the current request is executed, the same for all of its rows.</summary>
    public DateTimeOffset Now { get; private set; }

    public long NowMicros => Now.ToUnixMicros();

    /// <summary>Who asked for the request being executed, recorded on every transaction it writes.</summary>
    public IdempotencyScope Request { get; private set; } = null!;

    public abstract IAccountStore Accounts { get; }

    public abstract ILotStore Lots { get; }

    public abstract ITransactionStore Transactions { get; }

    public abstract IEventOutbox Events { get; }

    public abstract IObligationStore Obligations { get; }

    public abstract IIdempotencyStore IdempotencyRecords { get; }

    public abstract IPartnerStore Partners { get; }

    public abstract IRateStore Rates { get; }

    public abstract IApiKeyStore ApiKeys { get; }

    public abstract IExpiryStore Expiry { get; }

    public abstract ISettlementStore Settlement { get; }

    /// <summary>
    /// Whether each request of the group runs inside its own savepoint. Without one the engine keeps nothing aside
    /// for undoing it, but a request can then only be refused before its first write.
    /// </summary>
    internal bool IsolatesRequests { get; private set; }

    /// <summary>
    /// The end (exclusive) of the latest closed settlement period, 0 when none is closed. Periods never overlap,
    /// so the period that starts last ends last.
    /// </summary>
    public long LatestClosedPeriodEndMicros => _latestClosedPeriodEndMicros ??= Settlement.LatestClosedPeriodEndMicros();

    /// <summary>Records that the current request closed a period ending at <paramref name="endMicros"/>.</summary>
    internal void NoteClosedPeriod(long endMicros) =>
        _latestClosedPeriodEndMicros = Math.Max(LatestClosedPeriodEndMicros, endMicros);

    /// <summary>
    /// A program's expiry policy, read once per request: every lot a request opens or checks sees the same
    /// policy (a policy change is a request of its own).
    /// </summary>
    public ExpiryPolicy ExpiryPolicyOf(string programCode)
    {
        if (!_expiryPolicies.TryGetValue(programCode, out var policy))
        {
            policy = Partners.ExpiryPolicyOf(programCode);
            _expiryPolicies[programCode] = policy;
        }
        return policy;
    }

    /// <summary>
    /// Remembers a policy the request read with its partner's row. The first read of a request stands, as in
    /// <see cref="ExpiryPolicyOf"/>: a command that changes a policy opens no lots after it.
    /// </summary>
    internal void NoteExpiryPolicy(string programCode, ExpiryPolicy policy) => _expiryPolicies.TryAdd(programCode, policy);

    /// <summary>Starts a group in a new write transaction, which holds the ledger's write lock until it ends.</summary>
    internal void BeginGroup(bool isolateRequests)
    {
        IsolatesRequests = isolateRequests;
        _latestClosedPeriodEndMicros = null;
        BeginEngineGroup();
    }

    /// <summary>Opens the engine's transaction and reads where the sequence goes on, inside its write lock.</summary>
    protected abstract void BeginEngineGroup();

    /// <summary>Commits the group: every request in it becomes durable at once.</summary>
    internal abstract void CommitGroup();

    /// <summary>Ends the group's transaction, rolling it back unless it was committed.</summary>
    internal abstract void EndGroup();

    internal void StartRequest(IdempotencyScope request)
    {
        Request = request;
        _expiryPolicies.Clear();
        // Whole microseconds, the precision stored, so a response and a later read show the same time.
        var now = clock.GetUtcNow();
        Now = now.AddTicks(-(now.UtcTicks % 10));
    }

    /// <summary>
    /// Takes the next gap-free sequence number. Numbers follow commit order; a rolled-back request hands its
    /// numbers back to the next one.
    /// </summary>
    public abstract long TakeSequence();

    /// <summary>Marks where the current request starts, so a refusal can undo it alone.</summary>
    internal abstract void OpenRequestSavepoint();

    /// <summary>
    /// Undoes the current request's writes and hands its sequence numbers back. Without a savepoint only a
    /// request that wrote nothing can be undone: false means the whole group must go again, isolated.
    /// </summary>
    internal bool TryRollBackRequest()
    {
        if (!IsolatesRequests)
        {
            return RollBackUnisolatedRequest();
        }
        _latestClosedPeriodEndMicros = null;
        RollBackToRequestSavepoint();
        return true;
    }

    /// <summary>Hands the request's sequence numbers back: true when it wrote nothing, so nothing else needs undoing.</summary>
    protected abstract bool RollBackUnisolatedRequest();

    /// <summary>Hands the request's sequence numbers back, forgets what it cached and rolls back to its savepoint.</summary>
    protected abstract void RollBackToRequestSavepoint();

    internal abstract void ReleaseRequestSavepoint();

    /// <summary>
    /// Whether the engine may have rolled the whole transaction back on this error (the disk is full, the
    /// database is locked or broken): the group cannot go on.
    /// </summary>
    internal abstract bool EndsTransaction(Exception exception);

    /// <summary>
    /// Whether a group failed because the ledger's database could not be reached or locked in time (PostgreSQL away,
    /// its session cut, another server holding the ledger past the busy timeout): a retry may well succeed.
    /// </summary>
    internal virtual bool MeansUnavailable(Exception exception) => false;

    public abstract void Dispose();
}
