using Grpc.Core;
using Microsoft.Extensions.Options;
using PartnerExchange.Domain;
using PartnerExchange.Ledger.Commands;
using PartnerExchange.Ledger.Reading;
using PartnerExchange.Server.Errors;
using PartnerExchange.Server.Mapping;
using PartnerExchange.Server.Security;
using PartnerExchange.V1;
using ErrorReason = PartnerExchange.Domain.ErrorReason;

namespace PartnerExchange.Server.Events;

/// <summary>
/// Where a stream starts: the program, whether an operator opened it and with which key, and the cursor after which
/// to start (null: now).
/// </summary>
internal sealed record StreamStart(string ProgramCode, bool ByOperator, string KeyId, long? AfterCursor);

/// <summary>
/// Runs event streams: each reads a batch of the program's events after its cursor from the ledger, writes them one
/// by one (each write waits for the consumer through HTTP/2 flow control, so a slow reader holds one batch at most
/// and otherwise falls behind in the ledger, not in memory), and when caught up waits for this process's next
/// commit, the heartbeat interval or the end of the call. A stopping server ends its streams at once with
/// UNAVAILABLE, so consumers resume elsewhere instead of holding the shutdown up; revoking the key that opened a
/// stream ends it with UNAUTHENTICATED, at once when the announcement arrives and within a heartbeat interval of
/// traffic or idling when it does not.
/// </summary>
internal sealed partial class EventStreams(
    EventFeed feed, LedgerQueries queries, StreamSlots slots, KeyRevocations revocations, TimeProvider clock,
    IOptions<EventStreamOptions> options, IHostApplicationLifetime lifetime, ILogger<EventStreams> logger)
{
    /// <summary>The retry delay suggested to consumers of a stopping server: long enough for a balancer to notice.</summary>
    private static readonly TimeSpan ReconnectDelay = TimeSpan.FromSeconds(1);

    public async Task RunAsync(StreamStart start, IServerStreamWriter<StreamEventsResponse> stream, ServerCallContext context)
    {
        var callEnded = context.CancellationToken;
        if (start.ByOperator)
        {
            _ = await queries.GetPartnerAsync(start.ProgramCode, callEnded).ConfigureAwait(false)
                ?? throw RpcErrors.ToException(Partners.NotFound(start.ProgramCode));
        }
        await using var slot = await slots.TakeAsync(start.ProgramCode, start.ByOperator).ConfigureAwait(false);
        using var keyWatch = revocations.Watch(start.KeyId);
        if (await IsRevokedAsync(start.KeyId, callEnded).ConfigureAwait(false))
        {
            throw RevokedKey();
        }
        using var streamEnded = CancellationTokenSource.CreateLinkedTokenSource(callEnded, lifetime.ApplicationStopping, keyWatch.Token);
        var position = new StreamPosition(start.ProgramCode,
            start.AfterCursor ?? await feed.LatestCursorAsync(start.ProgramCode, callEnded).ConfigureAwait(false));
        LogOpened(start.ProgramCode, start.ByOperator, position.Cursor);
        try
        {
            // Headers go out at once, so a consumer knows it was admitted before the first event or heartbeat.
            await context.WriteResponseHeadersAsync(new Metadata()).ConfigureAwait(false);
            await PumpAsync(position, keyWatch, stream, streamEnded.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (streamEnded.IsCancellationRequested && ex is OperationCanceledException or IOException or InvalidOperationException)
        {
            // The consumer cancelled, went away or reached its deadline, or the server is stopping: not an error.
        }
        LogEnded(start.ProgramCode, position.DeliveredCount, position.Cursor);
        if (keyWatch.IsRevoked)
        {
            throw RevokedKey();
        }
        if (!callEnded.IsCancellationRequested)
        {
            // Only a stopping server ends a live stream; the consumer reconnects and resumes after its last cursor.
            throw RpcErrors.Retryable(ErrorReason.ExchangeBusy, "This server is stopping; reconnect and resume after your last cursor.",
                ReconnectDelay);
        }
    }

    /// <summary>
    /// Whether the ledger has the key revoked. Read when a stream opens (a key revoked between authentication and
    /// the watch was authenticated from the cache, and its announcement came before anyone watched) and at least once
    /// a heartbeat interval, idle or busy (an announcement is lost while Redis is down). The bootstrap operator key lives outside the ledger.
    /// </summary>
    private async Task<bool> IsRevokedAsync(string keyId, CancellationToken cancellationToken) =>
        keyId != Authenticator.BootstrapKeyId
        && await queries.FindApiKeyAsync(keyId, cancellationToken).ConfigureAwait(false) is not { Key.RevokedAt: null };

    /// <summary>Ends the stream with CURSOR_EXPIRED when retention has removed events of its program past its position.</summary>
    private async Task EnsureNothingPrunedAfterAsync(StreamPosition position, CancellationToken cancellationToken)
    {
        var prunedThrough = await feed.PrunedThroughAsync(position.ProgramCode, cancellationToken).ConfigureAwait(false);
        if (prunedThrough > position.Cursor)
        {
            throw RpcErrors.ToException(Refusal.Of(ErrorReason.CursorExpired,
                "Events after this cursor have been removed by the exchange's event retention; rebuild from the Points API and stream from now.",
                ("pruned_through_cursor", prunedThrough.ToString(System.Globalization.CultureInfo.InvariantCulture))));
        }
    }

    private static RpcException RevokedKey() =>
        RpcErrors.ToException(Refusal.Of(ErrorReason.ApiKeyInvalid, "The API key that opened this stream was revoked."));

    private async Task PumpAsync(
        StreamPosition position, KeyRevocations.KeyWatch keyWatch, IServerStreamWriter<StreamEventsResponse> stream,
        CancellationToken cancellationToken)
    {
        var batchSize = options.Value.ReadBatchSize;
        var heartbeatInterval = options.Value.HeartbeatInterval;
        var lastSent = clock.GetTimestamp();
        var lastKeyCheck = lastSent;
        while (!cancellationToken.IsCancellationRequested)
        {
            // Taken before reading, so a commit that lands between the read and the wait still wakes the stream.
            var nextCommit = feed.NextCommit;
            var batch = await feed.ReadAfterAsync(position.ProgramCode, position.Cursor, batchSize, cancellationToken).ConfigureAwait(false);
            // Read after the batch: retention removes events oldest first, so if nothing past the position had been
            // removed by now, the batch was read whole.
            await EnsureNothingPrunedAfterAsync(position, cancellationToken).ConfigureAwait(false);
            foreach (var record in batch)
            {
                // A busy stream never idles to a heartbeat, and its key's revocation announcement may be lost:
                // the key is read again at least once a heartbeat interval, however many events flow.
                if (clock.GetElapsedTime(lastKeyCheck) >= heartbeatInterval)
                {
                    if (await EndedByRevocationAsync(keyWatch, cancellationToken).ConfigureAwait(false))
                    {
                        return;
                    }
                    lastKeyCheck = clock.GetTimestamp();
                }
                position.Check(record);
                await stream.WriteAsync(record.ToStreamItem(), cancellationToken).ConfigureAwait(false);
                position.Delivered(record.Cursor);
                lastSent = clock.GetTimestamp();
            }
            if (batch.Count == batchSize)
            {
                continue;
            }
            var idle = clock.GetElapsedTime(lastSent);
            if (idle >= heartbeatInterval)
            {
                if (await EndedByRevocationAsync(keyWatch, cancellationToken).ConfigureAwait(false))
                {
                    return;
                }
                lastKeyCheck = clock.GetTimestamp();
                await stream.WriteAsync(EventMapping.Heartbeat(position.Cursor, clock.GetUtcNow()), cancellationToken).ConfigureAwait(false);
                lastSent = clock.GetTimestamp();
                idle = TimeSpan.Zero;
            }
            // Waking at the heartbeat interval at the latest also catches commits by other server processes.
            await WaitAsync(nextCommit, heartbeatInterval - idle, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Reads the stream's key again and, when the ledger has it revoked, ends the watch (and so the stream).</summary>
    private async Task<bool> EndedByRevocationAsync(KeyRevocations.KeyWatch keyWatch, CancellationToken cancellationToken)
    {
        if (!await IsRevokedAsync(keyWatch.KeyId, cancellationToken).ConfigureAwait(false))
        {
            return false;
        }
        keyWatch.Revoke();
        return true;
    }

    /// <summary>Waits until <paramref name="nextCommit"/> completes, <paramref name="timeout"/> passes or the call ends.</summary>
    private async Task WaitAsync(Task nextCommit, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var delay = Task.Delay(timeout, clock, stop.Token);
        await Task.WhenAny(nextCommit, delay).ConfigureAwait(false);
        // Stops the timer when the commit came first, so idle streams do not pile up pending timers.
        await stop.CancelAsync().ConfigureAwait(false);
    }

    [LoggerMessage(EventId = 7001, Level = LogLevel.Debug, Message = "Event stream of {ProgramCode} opened (operator: {ByOperator}) after cursor {Cursor}")]
    private partial void LogOpened(string programCode, bool byOperator, long cursor);

    [LoggerMessage(EventId = 7002, Level = LogLevel.Debug, Message = "Event stream of {ProgramCode} ended after {DeliveredCount} events at cursor {Cursor}")]
    private partial void LogEnded(string programCode, long deliveredCount, long cursor);

    /// <summary>How far one stream got; it only moves forward.</summary>
    private sealed class StreamPosition(string programCode, long cursor)
    {
        public string ProgramCode { get; } = programCode;

        public long Cursor { get; private set; } = cursor;

        public long DeliveredCount { get; private set; }

        /// <summary>
        /// The feed's promise, checked on every event before it is sent: the stream's own program, and cursors that
        /// only increase. A broken promise would leak another partner's events or repeat one, so it stops the stream.
        /// </summary>
        public void Check(EventRecord record)
        {
            if (record.ProgramCode != ProgramCode || record.Cursor <= Cursor)
            {
                throw new InvalidOperationException(
                    $"The event feed returned cursor {record.Cursor} of {record.ProgramCode} to a stream of {ProgramCode} at cursor {Cursor}.");
            }
        }

        public void Delivered(long cursor)
        {
            Cursor = cursor;
            DeliveredCount++;
        }
    }
}
