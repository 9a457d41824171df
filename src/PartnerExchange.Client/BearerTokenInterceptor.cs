using Grpc.Core;
using Grpc.Core.Interceptors;

namespace PartnerExchange.Client;

/// <summary>
/// Adds <c>authorization: Bearer &lt;api key&gt;</c> to every call. An interceptor rather than
/// <see cref="CallCredentials"/> because it works the same on http:// and https:// channels and on channels
/// built over a caller's own <see cref="HttpMessageHandler"/>.
/// </summary>
internal sealed class BearerTokenInterceptor(string apiKey) : Interceptor
{
    private const string AuthorizationHeader = "authorization";

    private readonly string _headerValue = $"Bearer {apiKey}";

    public override TResponse BlockingUnaryCall<TRequest, TResponse>(
        TRequest request,
        ClientInterceptorContext<TRequest, TResponse> context,
        BlockingUnaryCallContinuation<TRequest, TResponse> continuation) =>
        continuation(request, WithAuthorization(context));

    public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(
        TRequest request,
        ClientInterceptorContext<TRequest, TResponse> context,
        AsyncUnaryCallContinuation<TRequest, TResponse> continuation) =>
        continuation(request, WithAuthorization(context));

    public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(
        TRequest request,
        ClientInterceptorContext<TRequest, TResponse> context,
        AsyncServerStreamingCallContinuation<TRequest, TResponse> continuation) =>
        continuation(request, WithAuthorization(context));

    public override AsyncClientStreamingCall<TRequest, TResponse> AsyncClientStreamingCall<TRequest, TResponse>(
        ClientInterceptorContext<TRequest, TResponse> context,
        AsyncClientStreamingCallContinuation<TRequest, TResponse> continuation) =>
        continuation(WithAuthorization(context));

    public override AsyncDuplexStreamingCall<TRequest, TResponse> AsyncDuplexStreamingCall<TRequest, TResponse>(
        ClientInterceptorContext<TRequest, TResponse> context,
        AsyncDuplexStreamingCallContinuation<TRequest, TResponse> continuation) =>
        continuation(WithAuthorization(context));

    private ClientInterceptorContext<TRequest, TResponse> WithAuthorization<TRequest, TResponse>(
        ClientInterceptorContext<TRequest, TResponse> context)
        where TRequest : class
        where TResponse : class
    {
        // The caller's headers are copied, not changed: a Metadata object reused across calls would
        // otherwise collect one more authorization entry per call. A caller who sets its own authorization
        // header on a raw call (to act with another key) keeps it.
        var headers = new Metadata();
        foreach (var entry in context.Options.Headers ?? [])
        {
            headers.Add(entry);
        }

        if (headers.Get(AuthorizationHeader) is null)
        {
            headers.Add(AuthorizationHeader, _headerValue);
        }

        return new ClientInterceptorContext<TRequest, TResponse>(
            context.Method, context.Host, context.Options.WithHeaders(headers));
    }
}
