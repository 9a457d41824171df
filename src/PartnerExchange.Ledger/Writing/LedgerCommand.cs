using PartnerExchange.Domain;
using PartnerExchange.Ledger.Stores;

namespace PartnerExchange.Ledger.Writing;

/// <summary>
/// A request to change the ledger or its configuration, executed by the single writer inside one
/// atomic database transaction. A refusal undoes everything the command wrote.
/// </summary>
/// <typeparam name="TResult">What the command produces when it succeeds.</typeparam>
public abstract record LedgerCommand<TResult>
{
    internal abstract Outcome<TResult> Execute(LedgerWriteTransaction tx);

    /// <summary>
    /// A preview: the writer runs the command for real inside a savepoint of its own, answers with the result, and
    /// then rolls everything back and records nothing, so the answer is exactly what a real run would do.
    /// </summary>
    internal virtual bool DiscardsWrites => false;
}

/// <summary>Who asked for a write and under which idempotency key.</summary>
/// <param name="Principal">The idempotency scope: the partner's program code, or the operators' shared scope.</param>
/// <param name="ProgramCode">The calling partner's program, null for operators.</param>
/// <param name="ApiKeyId">The key that authenticated the call (recorded on every transaction).</param>
/// <param name="IdempotencyKey">The caller's key for this logical operation.</param>
/// <param name="Method">The RPC, part of what a key is bound to.</param>
/// <param name="RequestFingerprint">A hash of the canonical request without its key.</param>
public sealed record IdempotencyScope(
    string Principal,
    string? ProgramCode,
    string ApiKeyId,
    string IdempotencyKey,
    string Method,
    byte[] RequestFingerprint)
{
    /// <summary>The idempotency scope all operators share, so a retry after key rotation still replays.</summary>
    public const string OperatorPrincipal = "@operators";

    /// <summary>
    /// Whose share of the writer's queue the request takes: the partner's program, or for operators their key, so
    /// each operator key and each of the exchange's jobs waits on its own share and none fills another's.
    /// </summary>
    public string QueueCaller => ProgramCode ?? Principal + "/" + ApiKeyId;

    /// <summary>The refusal for a key used before with a different request (never itself recorded).</summary>
    public static Refusal KeyReused() =>
        Refusal.Of(ErrorReason.IdempotencyKeyReused, "This idempotency key was used before with a different request.");
}

/// <summary>
/// The encoded outcome of a write, stored with its idempotency record and replayed byte for byte:
/// a response message, or (when <paramref name="IsRefusal"/>) an encoded error status.
/// </summary>
public sealed record StoredResponse(bool IsRefusal, byte[] Payload);

/// <summary>
/// The writer's answer: the response, whether it replays an earlier request, and whether it was recorded
/// against the key (a refusal of bad input is not, so the corrected request may reuse the key).
/// </summary>
public sealed record WriteReceipt(StoredResponse Response, bool Replayed, bool Recorded = true);

/// <summary>Thrown when the write queue is full; the caller should retry after a short delay.</summary>
public sealed class LedgerBusyException() : Exception("The ledger's write queue is full.");

/// <summary>
/// A write failed because the ledger's database could not be reached or locked in time. Whether it took effect is
/// unknown only if the commit itself was cut off; a retry with the same idempotency key finds out.
/// </summary>
public sealed class LedgerUnavailableException(Exception innerException)
    : Exception("The ledger's database is unavailable.", innerException);
