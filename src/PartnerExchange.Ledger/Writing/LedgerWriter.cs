using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PartnerExchange.Domain;
using PartnerExchange.Ledger.Engines;
using PartnerExchange.Ledger.Stores;

namespace PartnerExchange.Ledger.Writing;

/// <summary>Executes ledger commands exactly once per idempotency key, durably.</summary>
public interface ILedgerWriter
{
    /// <summary>
    /// Queues the command for the single writer and completes once its group has committed. A repeat of
    /// an earlier key with the same fingerprint returns the stored response without executing; a repeat
    /// with a different fingerprint is refused with IDEMPOTENCY_KEY_REUSED (and not stored).
    /// </summary>
    /// <exception cref="LedgerBusyException">The write queue, or the caller's share of it, is full.</exception>
    Task<Outcome<WriteReceipt>> WriteAsync<TResult>(
        IdempotencyScope scope,
        LedgerCommand<TResult> command,
        Func<Outcome<TResult>, StoredResponse> encode,
        CancellationToken cancellationToken);
}

/// <summary>
/// One writer per process. Requests queue in a bounded queue shared fairly among callers (see
/// <see cref="WriteQueue{TRequest}"/>); the writer takes what is waiting (up to
/// <see cref="LedgerOptions.MaxGroupSize"/>, one of each caller in turn) and commits it as one database
/// transaction, one fsync for the whole group. A refusal undoes only its own request: the ledger refuses
/// before its first write, so most groups run without savepoints; a group with a request that must be undone
/// after writing runs again with a savepoint per request. Nothing is acknowledged before its group has
/// committed.
/// </summary>
internal sealed partial class LedgerWriter : ILedgerWriter, IAsyncDisposable
{
    private readonly WriteQueue<PendingWrite> _queue;
    private readonly LedgerOptions _options;
    private readonly ILogger<LedgerWriter> _logger;
    private readonly LedgerWriteTransaction _session;
    private readonly Task _loop;
    private readonly CommitSignal? _commits;
    private readonly IWriterUpkeep? _checkpointer;
    private readonly WriterMetrics? _metrics;
    private int _disposed;

    public LedgerWriter(
        IOptions<LedgerOptions> options, LedgerDatabase database, TimeProvider clock, ILogger<LedgerWriter> logger, CommitSignal? commits = null,
        WriterMetrics? metrics = null)
        : this(options.Value, LedgerEngines.Create(database, options.Value), clock, logger, commits, metrics)
    {
    }

    /// <summary>A writer on the given engine.</summary>
    internal LedgerWriter(
        LedgerOptions options, ILedgerEngine engine, TimeProvider clock, ILogger<LedgerWriter> logger, CommitSignal? commits = null,
        WriterMetrics? metrics = null)
    {
        _options = options;
        _commits = commits;
        _metrics = metrics;
        _logger = logger;
        _session = engine.OpenWriteTransaction(clock);
        _checkpointer = engine.StartUpkeep(logger);
        _queue = new WriteQueue<PendingWrite>(_options.WriteQueueCapacity, _options.WriteQueueCapacityPerCaller);
        _metrics?.ObserveQueue(() => _queue.Count);
        // A thread of its own, not a pool thread: the writer blocks in SQLite and its fsync for as long as a group
        // takes, and wakes straight from the queue without a hop through the pool; it measured faster than an async
        // loop on the pool (docs/bench/HISTORY.md).
        var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _loop = stopped.Task;
        new Thread(() => Run(stopped)) { IsBackground = true, Name = "Ledger writer" }.Start();
    }

    public Task<Outcome<WriteReceipt>> WriteAsync<TResult>(
        IdempotencyScope scope,
        LedgerCommand<TResult> command,
        Func<Outcome<TResult>, StoredResponse> encode,
        CancellationToken cancellationToken)
    {
        var pending = new PendingWrite<TResult>(scope, command, encode, cancellationToken);
        if (!_queue.TryEnqueue(scope.QueueCaller, pending))
        {
            _metrics?.Settled(WriteOutcome.Busy);
            throw new LedgerBusyException();
        }
        // A caller that goes away while queued is released at once; the writer then skips its request.
        // (Once executing, a request runs to its commit and a retry with the key replays it.)
        if (cancellationToken.CanBeCanceled)
        {
            var registration = cancellationToken.Register(() => pending.Completion.TrySetCanceled(cancellationToken));
            pending.Completion.Task.ContinueWith(_ => registration.Dispose(), TaskScheduler.Default);
        }
        return pending.Completion.Task;
    }

    private void Run(TaskCompletionSource stopped)
    {
        try
        {
            RunGroups();
            stopped.SetResult();
        }
        catch (Exception ex)
        {
            // Only a bug in the loop itself reaches here (each group settles its own failures); disposal reports it.
            stopped.SetException(ex);
        }
    }

    private void RunGroups()
    {
        var group = new List<PendingWrite>(_options.MaxGroupSize);
        while (_queue.WaitToRead())
        {
            group.Clear();
            _queue.TakeInto(group, _options.MaxGroupSize);
            // A request whose caller has gone (deadline passed, cancelled) is dropped before any work.
            group.RemoveAll(IsAbandoned);
            if (group.Count == 0)
            {
                continue;
            }
            try
            {
                CommitGroup(group);
            }
            catch (Exception ex)
            {
                // CommitGroup settles every request itself; reaching here is a bug. Fail the group loudly and
                // keep the writer alive, so one bug never turns into every later write hanging.
                LogGroupFailed(ex, group.Count);
                foreach (var pending in group)
                {
                    pending.Completion.TrySetException(ex);
                    _metrics?.Settled(WriteOutcome.Failed);
                }
            }
        }
    }

    private bool IsAbandoned(PendingWrite pending)
    {
        if (!pending.CancellationToken.IsCancellationRequested)
        {
            return false;
        }
        pending.Completion.TrySetCanceled(pending.CancellationToken);
        _metrics?.Settled(WriteOutcome.Dropped);
        return true;
    }

    private void CommitGroup(List<PendingWrite> group)
    {
        var results = new Outcome<WriteReceipt>[group.Count];
        var failures = new Exception?[group.Count];
        var started = Stopwatch.GetTimestamp();
        bool isolate;
        try
        {
            // Optimistic first, without a savepoint per request: SQLite then copies no pages aside, about a
            // third of the writer's time. That holds while no request needs undoing alone, as refusals come
            // before the first write. One that does (a refusal after writing, a broken request) sends the group
            // round again from a clean transaction, each request in its own savepoint. Previews always need one.
            isolate = group.Exists(pending => pending.DiscardsWrites);
            if (!TryExecuteGroup(group, results, failures, isolate))
            {
                isolate = true;
                TryExecuteGroup(group, results, failures, isolateRequests: true);
            }
        }
        catch (Exception ex)
        {
            Exception failure = _session.MeansUnavailable(ex) ? new LedgerUnavailableException(ex) : ex;
            if (failure is LedgerUnavailableException)
            {
                LogGroupUnavailable(group.Count, ex.Message);
            }
            else
            {
                LogGroupFailed(ex, group.Count);
            }
            foreach (var pending in group)
            {
                pending.Completion.TrySetException(failure);
                _metrics?.Settled(WriteOutcome.Failed);
            }
            return;
        }
        _commits?.Raise();
        _checkpointer?.NoteCommit();
        _metrics?.Committed(group.Count, Stopwatch.GetElapsedTime(started), isolate);
        for (var i = 0; i < group.Count; i++)
        {
            if (failures[i] is { } failure)
            {
                group[i].Completion.TrySetException(failure);
            }
            else
            {
                group[i].Completion.TrySetResult(results[i]);
            }
            _metrics?.Settled(OutcomeOf(results[i], failures[i]));
        }
    }

    private static string OutcomeOf(Outcome<WriteReceipt> result, Exception? failure) =>
        failure is not null ? WriteOutcome.Failed
        : !result.IsSuccess ? WriteOutcome.Refused
        : result.Value.Replayed ? WriteOutcome.Replayed
        : result.Value.Response.IsRefusal ? WriteOutcome.Refused
        : WriteOutcome.Committed;

    /// <summary>
    /// Executes and commits the group in one transaction. False (only when not isolating requests) when a
    /// request needed undoing alone: the transaction is then rolled back and nothing is kept.
    /// </summary>
    private bool TryExecuteGroup(List<PendingWrite> group, Outcome<WriteReceipt>[] results, Exception?[] failures, bool isolateRequests)
    {
        try
        {
            _session.BeginGroup(isolateRequests);
            return ExecuteAndCommit(group, results, failures, isolateRequests);
        }
        finally
        {
            _session.EndGroup();
        }
    }

    private bool ExecuteAndCommit(List<PendingWrite> group, Outcome<WriteReceipt>[] results, Exception?[] failures, bool isolateRequests)
    {
        for (var i = 0; i < group.Count; i++)
        {
            try
            {
                if (ExecuteOne(group[i]) is not { } result)
                {
                    return false;
                }
                results[i] = result;
            }
            catch (Exception ex) when (isolateRequests && ex is not GroupAbortedException && !_session.EndsTransaction(ex))
            {
                // A broken request (a bug, not a refusal) fails alone; errors after which SQLite may have rolled
                // the whole transaction back fail the whole group.
                failures[i] = ex;
                LogRequestFailed(ex, group[i].Scope.Method);
            }
            catch (Exception ex) when (!isolateRequests && !_session.EndsTransaction(ex))
            {
                // Without a savepoint its writes cannot be undone alone: the isolated round fails it (and logs it).
                return false;
            }
        }
        _session.CommitGroup();
        return true;
    }

    /// <summary>The request's receipt, or null when it must be undone alone but runs without a savepoint.</summary>
    private Outcome<WriteReceipt>? ExecuteOne(PendingWrite pending)
    {
        var scope = pending.Scope;
        _session.StartRequest(scope);
        var earlier = _session.IdempotencyRecords.Find(scope.Principal, scope.IdempotencyKey);
        if (earlier is not null)
        {
            return earlier.Matches(scope) ? new WriteReceipt(earlier.Response, Replayed: true) : IdempotencyScope.KeyReused();
        }
        _session.OpenRequestSavepoint();
        try
        {
            var (response, refusal) = pending.Run(_session);
            // A refusal leaves no trace but its idempotency record: the same retry gets the same answer.
            if ((refusal is not null || pending.DiscardsWrites) && !_session.TryRollBackRequest())
            {
                return null;
            }
            var recorded = !pending.DiscardsWrites && (refusal is null || !ErrorReasons.IsInputError(refusal.Value));
            if (recorded)
            {
                _session.IdempotencyRecords.Insert(scope, response);
            }
            _session.ReleaseRequestSavepoint();
            return new WriteReceipt(response, Replayed: false, recorded);
        }
        catch (Exception ex) when (_session.IsolatesRequests && !_session.EndsTransaction(ex))
        {
            try
            {
                _session.TryRollBackRequest();
                _session.ReleaseRequestSavepoint();
            }
            catch (Exception rollbackError)
            {
                // The transaction is gone with the savepoint: nothing of the group may be acknowledged.
                throw new GroupAbortedException(ex, rollbackError);
            }
            throw;
        }
    }

    private sealed class GroupAbortedException(Exception cause, Exception rollbackError)
        : Exception("A request failed and its savepoint could not be rolled back; the group is abandoned.",
            new AggregateException(cause, rollbackError));

    public async ValueTask DisposeAsync()
    {
        // The container holds the writer under two service types and disposes it under each.
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }
        _queue.Complete();
        await _loop.ConfigureAwait(false);
        _queue.Dispose();
        _checkpointer?.Dispose();
        _session.Dispose();
    }

    [LoggerMessage(EventId = 2001, Level = LogLevel.Critical, Message = "Ledger write {Method} failed unexpectedly; the request was rolled back.")]
    private partial void LogRequestFailed(Exception exception, string method);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Error, Message = "Ledger group of {Count} requests failed to commit; none was acknowledged.")]
    private partial void LogGroupFailed(Exception exception, int count);

    [LoggerMessage(EventId = 2009, Level = LogLevel.Warning,
        Message = "A group of {Count} write request(s) failed: the ledger's database is unavailable ({Reason}); callers may retry")]
    private partial void LogGroupUnavailable(int count, string reason);

    private abstract class PendingWrite(IdempotencyScope scope, CancellationToken cancellationToken)
    {
        public IdempotencyScope Scope { get; } = scope;
        public CancellationToken CancellationToken { get; } = cancellationToken;
        public TaskCompletionSource<Outcome<WriteReceipt>> Completion { get; } =
            new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Executes the command: the encoded response, and the reason when it was refused.</summary>
        public abstract (StoredResponse Response, ErrorReason? Refusal) Run(LedgerWriteTransaction session);

        /// <summary>The command is a preview whose writes are rolled back (see <see cref="LedgerCommand{TResult}.DiscardsWrites"/>).</summary>
        public abstract bool DiscardsWrites { get; }
    }

    private sealed class PendingWrite<TResult>(
        IdempotencyScope scope,
        LedgerCommand<TResult> command,
        Func<Outcome<TResult>, StoredResponse> encode,
        CancellationToken cancellationToken) : PendingWrite(scope, cancellationToken)
    {
        public override bool DiscardsWrites => command.DiscardsWrites;

        public override (StoredResponse Response, ErrorReason? Refusal) Run(LedgerWriteTransaction session)
        {
            var outcome = command.Execute(session);
            var response = encode(outcome);
            if (response.IsRefusal == outcome.IsSuccess)
            {
                throw new InvalidOperationException("The encoded response contradicts the command's outcome.");
            }
            return (response, outcome.IsSuccess ? null : outcome.Refusal.Reason);
        }
    }
}
