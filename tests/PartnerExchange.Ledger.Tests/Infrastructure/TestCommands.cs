using PartnerExchange.Domain;
using PartnerExchange.Domain.Ledger;
using PartnerExchange.Ledger.Commands;
using PartnerExchange.Ledger.Stores;
using PartnerExchange.Ledger.Writing;

namespace PartnerExchange.Ledger.Tests.Infrastructure;

/// <summary>
/// Holds the single writer inside its open group until the test releases it, so a test decides which
/// requests share a group, and can look at the world while a group is executed but not yet committed.
/// </summary>
internal sealed class WriterGate
{
    // A forgotten release fails the test instead of hanging the run.
    private static readonly TimeSpan HoldLimit = TimeSpan.FromSeconds(60);

    private readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes once the writer is inside the gate (its group is formed and its transaction open).</summary>
    public Task Entered => _entered.Task;

    public void Release() => _released.TrySetResult();

    internal void Hold()
    {
        _entered.TrySetResult();
        if (!_released.Task.Wait(HoldLimit))
        {
            throw new TimeoutException("The test never released the writer gate.");
        }
    }
}

/// <summary>Blocks the writer at <see cref="WriterGate"/>; writes nothing itself but its idempotency record.</summary>
internal sealed record HoldWriter(WriterGate Gate) : LedgerCommand<int>
{
    internal override Outcome<int> Execute(LedgerWriteTransaction tx)
    {
        Gate.Hold();
        return 0;
    }
}

/// <summary>
/// A broken command (a bug, not a refusal): it enrolls a member and posts an accrual, then throws, so the
/// test can check that none of it survives.
/// </summary>
internal sealed record ExplodingAccrual(string ProgramCode, string MemberNumber, string GhostMemberNumber, long Points)
    : LedgerCommand<PostedMovement>
{
    public const string Reference = "exploding";

    internal override Outcome<PostedMovement> Execute(LedgerWriteTransaction tx)
    {
        tx.Accounts.Open(AccountRef.Member(ProgramCode, GhostMemberNumber));
        var header = new NewTransaction(TransactionKind.Accrual, ProgramCode, Reference);
        var posted = TransactionWriter.Post(tx, header, PostingRules.Accrual(ProgramCode, MemberNumber, Points));
        if (!posted.IsSuccess)
        {
            // Surfaces a broken setup as a refusal rather than as the exception the test expects.
            return posted.Refusal;
        }
        throw new InvalidOperationException("The exploding command broke after writing.");
    }
}

/// <summary>Fails as SQLite does when the disk is full (SQLITE_FULL), which must fail the whole group.</summary>
internal sealed record DiskFull : LedgerCommand<int>
{
    public const int SqliteFull = 13;

    internal override Outcome<int> Execute(LedgerWriteTransaction tx) =>
        throw new Microsoft.Data.Sqlite.SqliteException("database or disk is full", SqliteFull);
}

/// <summary>Counts how often the writer ran it, then accrues like an ordinary request.</summary>
internal sealed record CountedAccrual(string ProgramCode, string MemberNumber, long Points, ExecutionCount Count)
    : LedgerCommand<PostedMovement>
{
    internal override Outcome<PostedMovement> Execute(LedgerWriteTransaction tx)
    {
        Count.Increment();
        var header = new NewTransaction(TransactionKind.Accrual, ProgramCode, "counted");
        return TransactionWriter.Post(tx, header, PostingRules.Accrual(ProgramCode, MemberNumber, Points));
    }
}

/// <summary>How many times a command was executed; read by the test after the writer is done.</summary>
internal sealed class ExecutionCount
{
    private int _value;

    public int Value => Volatile.Read(ref _value);

    public void Increment() => Interlocked.Increment(ref _value);
}

/// <summary>
/// Writes (it opens a member account) and then refuses: a refusal that only a savepoint can undo, unlike the
/// ledger's own refusals, which all come before the first write.
/// </summary>
internal sealed record RefusalAfterWriting(string ProgramCode, string GhostMemberNumber) : LedgerCommand<PostedMovement>
{
    internal override Outcome<PostedMovement> Execute(LedgerWriteTransaction tx)
    {
        tx.Accounts.Open(AccountRef.Member(ProgramCode, GhostMemberNumber));
        return Refusal.Of(ErrorReason.InsufficientPoints, "Refused after writing.");
    }
}
