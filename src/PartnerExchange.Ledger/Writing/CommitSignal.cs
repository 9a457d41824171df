namespace PartnerExchange.Ledger.Writing;

/// <summary>
/// Tells waiting readers (event streams) that this process's writer has just committed, so they read
/// new events at once instead of polling. Commits by other processes are not seen here; readers also
/// poll at their heartbeat interval for those.
/// </summary>
public sealed class CommitSignal
{
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes at the next commit after it was read.</summary>
    public Task NextCommit => Volatile.Read(ref _next).Task;

    internal void Raise() =>
        Interlocked.Exchange(ref _next, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
}
