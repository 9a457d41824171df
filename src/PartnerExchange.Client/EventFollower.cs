using System.Runtime.CompilerServices;
using Grpc.Core;
using PartnerExchange.V1;

namespace PartnerExchange.Client;

/// <summary>
/// Follows a program's event stream across reconnects: it resumes after the last event it yielded, so the
/// at-least-once delivery of the stream becomes exactly once, in order, for the caller.
/// </summary>
internal sealed class EventFollower(EventsService.EventsServiceClient events, RetryPolicy retryPolicy)
{
    public async IAsyncEnumerable<Event> FollowAsync(long afterCursor, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var cursor = afterCursor;
        // Counts the broken streams since the last event, so a stream that keeps delivering is never given up on.
        var failuresInARow = 0;
        while (true)
        {
            using var call = events.StreamEvents(new StreamEventsRequest { AfterCursor = cursor }, new CallOptions(cancellationToken: cancellationToken));
            PartnerExchangeException? failure;
            while (true)
            {
                (var item, failure) = await NextAsync(call, cancellationToken).ConfigureAwait(false);
                if (item is null)
                {
                    break;
                }
                // An event at or before the cursor was already yielded before a reconnect; heartbeats carry nothing to yield.
                if (item.ItemCase == StreamEventsResponse.ItemOneofCase.Event && item.Event.Cursor > cursor)
                {
                    cursor = item.Event.Cursor;
                    failuresInARow = 0;
                    yield return item.Event;
                }
            }
            failuresInARow++;
            var delay = retryPolicy.DelayBeforeRetry(failure!, failuresInARow, TimeSpan.MaxValue) ?? throw failure!;
            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The next item, or the failure that ended the stream (a stream the server ends is UNAVAILABLE).</summary>
    private static async Task<(StreamEventsResponse? Item, PartnerExchangeException? Failure)> NextAsync(
        AsyncServerStreamingCall<StreamEventsResponse> call, CancellationToken cancellationToken)
    {
        try
        {
            return await call.ResponseStream.MoveNext(cancellationToken).ConfigureAwait(false)
                ? (call.ResponseStream.Current, null)
                : (null, new PartnerExchangeException(new RpcException(new Status(StatusCode.Unavailable, "The server ended the event stream."))));
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.Cancelled && cancellationToken.IsCancellationRequested)
        {
            // The caller stopped following; .NET callers expect OperationCanceledException for that.
            throw new OperationCanceledException("The operation was canceled.", ex, cancellationToken);
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.Cancelled)
        {
            // Not the caller's doing: the server or a proxy reset the stream (a server stopping under load resets its
            // streams before their UNAVAILABLE goes out). The stream resumes from the cursor like any broken one.
            return (null, new PartnerExchangeException(new RpcException(new Status(StatusCode.Unavailable, ex.Status.Detail, ex), ex.Trailers)));
        }
        catch (RpcException ex)
        {
            return (null, new PartnerExchangeException(ex));
        }
    }
}
