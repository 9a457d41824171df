using System.Security.Cryptography;
using Google.Protobuf;
using Grpc.Core;
using PartnerExchange.Domain;
using PartnerExchange.Ledger.Reading;
using PartnerExchange.Ledger.Writing;
using PartnerExchange.Server.Errors;
using PartnerExchange.Server.Policy;
using PartnerExchange.Server.RateLimiting;
using PartnerExchange.Server.Redis;
using PartnerExchange.Server.Security;

namespace PartnerExchange.Server.Writes;

/// <summary>
/// The path every mutating RPC takes after validation: fingerprint the request, draw its rate-limit buckets
/// and ask the Redis fast path about its key (one round trip, <see cref="WriteAdmission"/>), hand the command
/// to the ledger writer (whose own guard is the final word), and answer with the stored response — the same
/// bytes for the first call and for every replay, which reads them from the ledger. A write waits for one Redis
/// round trip, that one; marking the key completed is sent without waiting for its answer. Only RPCs whose policy
/// declares them writes may take it (their requests carry the key as field 1, checked at start), and the key is read
/// from the request here.
/// </summary>
internal sealed class IdempotentWrites(
    ILedgerWriter writer, LedgerQueries ledger, IdempotencyCache cache, RequestLimiter limiter, RpcPolicies policies)
{
    private readonly WriteAdmission _admission = new(cache, limiter);

    public Task<TResponse> RunAsync<TRequest, TResult, TResponse>(
        ServerCallContext context,
        TRequest request,
        LedgerCommand<TResult> command,
        Func<TResult, TResponse> toResponse)
        where TRequest : IMessage<TRequest>
        where TResponse : IMessage<TResponse>, new() =>
        RunAsync(context, request, null, command, toResponse);

    /// <summary>Runs a write that also draws from a member's <paramref name="velocity"/> bucket.</summary>
    public async Task<TResponse> RunAsync<TRequest, TResult, TResponse>(
        ServerCallContext context,
        TRequest request,
        LimitBucket? velocity,
        LedgerCommand<TResult> command,
        Func<TResult, TResponse> toResponse)
        where TRequest : IMessage<TRequest>
        where TResponse : IMessage<TResponse>, new()
    {
        var scope = ScopeOf(context, request);
        var lookup = await _admission.AdmitAsync(scope, DeferredWriteLimit.TakeFrom(context), velocity).ConfigureAwait(false);
        switch (lookup.State)
        {
            // Redis remembers that the key completed; the ledger holds its response. Without one (a ledger
            // restored from before the key, say) the writer runs the request and its guard decides.
            // A marker found is checked against the ledger too: the request that left it may have completed there
            // without Redis hearing of it, and its retry is answered now rather than when the marker expires.
            case KeyState.Completed or KeyState.Running
                when await ledger.FindRecordedResponseAsync(scope, context.CancellationToken).ConfigureAwait(false) is { } recorded:
                return Decode<TResponse>(recorded);
            case KeyState.Reused:
                throw RpcErrors.ToException(IdempotencyScope.KeyReused());
            case KeyState.Running:
                throw RpcErrors.Retryable(ErrorReason.RequestInProgress,
                    "A request with this idempotency key is still running; retry shortly.", cache.InProgressRetryDelay);
        }
        // Contended (a marker of another request) goes to the writer without the marker: its guard calls the key
        // reused only if that other request was recorded.
        var stored = await WriteAsync(scope, lookup, command, toResponse, context.CancellationToken).ConfigureAwait(false);
        return Decode<TResponse>(stored);
    }

    /// <summary>
    /// The idempotency scope of a write: the caller, the key from the request, the RPC and the request's fingerprint.
    /// Throws for an RPC not declared a write, a wiring bug that would otherwise store a read's answer under no key.
    /// </summary>
    public IdempotencyScope ScopeOf<TRequest>(ServerCallContext context, TRequest request) where TRequest : IMessage<TRequest>
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(request);
        if (!policies.Of(context.Method).IsWrite)
        {
            throw new InvalidOperationException(
                $"{context.Method} took the idempotent write path but its policy declares it a read; declare it a write in {nameof(ExchangeRpcPolicies)}.");
        }
        var caller = Caller.Of(context);
        var key = (string)request.Descriptor.FindFieldByName(RpcPolicy.IdempotencyKeyField).Accessor.GetValue(request);
        return new IdempotencyScope(caller.Principal, caller.ProgramCode, caller.KeyId, key, context.Method, Fingerprint(request));
    }

    private async Task<StoredResponse> WriteAsync<TResult, TResponse>(
        IdempotencyScope scope, KeyLookup lookup, LedgerCommand<TResult> command, Func<TResult, TResponse> toResponse,
        CancellationToken cancellationToken)
        where TResponse : IMessage<TResponse>
    {
        var holdsMarker = lookup.State == KeyState.Started;
        Outcome<WriteReceipt> outcome;
        try
        {
            outcome = await writer.WriteAsync(scope, command, result => Encode(result, toResponse), cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            // Nothing was recorded: free the key so a retry runs instead of waiting for the marker to expire.
            if (holdsMarker)
            {
                await cache.AbandonAsync(scope, lookup.Token).ConfigureAwait(false);
            }
            throw;
        }
        if (!outcome.IsSuccess)
        {
            // The ledger knows the key from a different request (Redis had forgotten it): not ours to record.
            if (holdsMarker)
            {
                await cache.AbandonAsync(scope, lookup.Token).ConfigureAwait(false);
            }
            throw RpcErrors.ToException(outcome.Refusal);
        }
        if (holdsMarker)
        {
            if (outcome.Value.Recorded)
            {
                // Not awaited (see IdempotencyCache.Complete): the answer is in the ledger already.
                cache.Complete(scope, lookup.Token);
            }
            else
            {
                // Awaited, so a retry that follows this answer finds the key free rather than in progress.
                await cache.AbandonAsync(scope, lookup.Token).ConfigureAwait(false);
            }
        }
        return outcome.Value.Response;
    }

    private static TResponse Decode<TResponse>(StoredResponse stored) where TResponse : IMessage<TResponse>, new()
    {
        if (stored.IsRefusal)
        {
            throw RpcErrors.FromStored(stored.Payload);
        }
        return ParserOf<TResponse>.Instance.ParseFrom(stored.Payload);
    }

    private static StoredResponse Encode<TResult, TResponse>(Outcome<TResult> outcome, Func<TResult, TResponse> toResponse)
        where TResponse : IMessage<TResponse> =>
        outcome.IsSuccess
            ? new StoredResponse(false, toResponse(outcome.Value).ToByteArray())
            : new StoredResponse(true, RpcErrors.Store(outcome.Refusal));

    /// <summary>
    /// A hash of the request without its idempotency key (field 1 of every mutating request), so "the same
    /// request" means the same fields, whatever the key.
    /// </summary>
    internal static byte[] Fingerprint<TRequest>(TRequest request) where TRequest : IMessage<TRequest>
    {
        var copy = request.Clone();
        var keyField = copy.Descriptor.FindFieldByNumber(1);
        if (keyField is null || keyField.Name != "idempotency_key")
        {
            throw new InvalidOperationException($"{copy.Descriptor.Name} has no idempotency_key as field 1.");
        }
        keyField.Accessor.Clear(copy);
        return SHA256.HashData(copy.ToByteArray());
    }

    private static class ParserOf<TMessage> where TMessage : IMessage<TMessage>, new()
    {
        public static readonly MessageParser<TMessage> Instance = new(() => new TMessage());
    }
}
