namespace PartnerExchange.Ledger.Writing;

/// <summary>
/// Tells waiting readers (event streams) that the ledger has just changed, so they read new events at once
/// instead of polling: this process's writer raises it at every commit, and the host raises it when told that
/// another process committed. Readers still poll at their heartbeat interval for commits nobody told of.
/// </summary>
public sealed class CommitSignal
{
    private TaskCompletionSource _next = NewSource();
    private TaskCompletionSource _nextLocal = NewSource();

    /// <summary>Completes at the next commit, by this process or another it was told of, after it was read.</summary>
    public Task NextCommit => Volatile.Read(ref _next).Task;

    /// <summary>Completes at the next commit by this process's own writer after it was read (what to tell others of).</summary>
    public Task NextLocalCommit => Volatile.Read(ref _nextLocal).Task;

    /// <summary>Another process committed: wakes the readers, but is not this process's own commit to tell of.</summary>
    public void CommittedElsewhere() => Complete(ref _next);

    internal void Raise()
    {
        Complete(ref _nextLocal);
        Complete(ref _next);
    }

    private static void Complete(ref TaskCompletionSource source) => Interlocked.Exchange(ref source, NewSource()).TrySetResult();

    private static TaskCompletionSource NewSource() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
