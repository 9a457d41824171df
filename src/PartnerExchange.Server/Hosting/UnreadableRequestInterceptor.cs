using Grpc.Core;
using Grpc.Core.Interceptors;
using PartnerExchange.Server.Errors;

namespace PartnerExchange.Server.Hosting;

/// <summary>
/// Refuses a request message the exchange could not read (see <see cref="UnreadableRequests"/>): MALFORMED_REQUEST
/// or REQUEST_TOO_LARGE. It runs after authentication, the role check and the rate limit, so a caller without a
/// valid key learns nothing about how its bytes were read, and garbage counts against the caller's limit.
/// </summary>
internal sealed class UnreadableRequestInterceptor : Interceptor
{
    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        ThrowIfUnreadable(request);
        return continuation(request, context);
    }

    public override Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        ThrowIfUnreadable(request);
        return continuation(request, responseStream, context);
    }

    public override Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        return continuation(new CheckedReader<TRequest>(requestStream), context);
    }

    public override Task DuplexStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        return continuation(new CheckedReader<TRequest>(requestStream), responseStream, context);
    }

    private static void ThrowIfUnreadable(object? request)
    {
        if (UnreadableRequests.RefusalOf(request) is { } refusal)
        {
            throw RpcErrors.ToException(refusal);
        }
    }

    /// <summary>A request stream that refuses the call at the first message it could not read.</summary>
    private sealed class CheckedReader<T>(IAsyncStreamReader<T> inner) : IAsyncStreamReader<T>
    {
        public T Current => inner.Current;

        public async Task<bool> MoveNext(CancellationToken cancellationToken)
        {
            var moved = await inner.MoveNext(cancellationToken).ConfigureAwait(false);
            if (moved)
            {
                ThrowIfUnreadable(inner.Current);
            }
            return moved;
        }
    }
}
