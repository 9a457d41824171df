using System.Diagnostics;
using Grpc.Core;
using Grpc.Core.Interceptors;
using PartnerExchange.Domain;
using PartnerExchange.Ledger.Writing;
using PartnerExchange.Server.Errors;
using PartnerExchange.Server.Metrics;
using PartnerExchange.Server.Security;

namespace PartnerExchange.Server.Hosting;

/// <summary>
/// The outermost step of every call: one log line with partner, method, status and duration, the call's
/// metrics, and the error boundary — an unexpected exception becomes INTERNAL with no detail, so no stack trace or SQL
/// ever reaches a client.
/// </summary>
internal sealed partial class CallLoggingInterceptor(
    ILogger<CallLoggingInterceptor> logger, CallMetrics metrics, Microsoft.Extensions.Options.IOptions<ExchangeOptions> options) : Interceptor
{
    /// <summary>How long a client should wait when the write queue is full.</summary>
    private static readonly TimeSpan BusyRetryDelay = TimeSpan.FromMilliseconds(200);

    private const string DetailsTrailer = "grpc-status-details-bin";
    private const string HealthMethodPrefix = "/grpc.health.v1.Health/";

    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        return GuardAsync(context, () => continuation(request, context));
    }

    public override Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        return GuardAsync(context, () => continuation(requestStream, context));
    }

    public override Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        return GuardAsync(context, async () =>
        {
            await continuation(request, responseStream, context).ConfigureAwait(false);
            return true;
        });
    }

    public override Task DuplexStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        return GuardAsync(context, async () =>
        {
            await continuation(requestStream, responseStream, context).ConfigureAwait(false);
            return true;
        });
    }

    private async Task<T> GuardAsync<T>(ServerCallContext context, Func<Task<T>> call)
    {
        var started = Stopwatch.GetTimestamp();
        var code = StatusCode.OK;
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            var error = ToRpcException(ex, context);
            code = error.StatusCode;
            context.UserState[TransportRefusals.SeenByInterceptorsKey] = true;
            throw error;
        }
        finally
        {
            var caller = Caller.TryOf(context);
            metrics.Record(context.Method, code, started, CallMetrics.PartnerLabel(caller?.ProgramCode, caller is not null));
            LogAccess(logger, caller, context.Method, code, started);
        }
    }

    private RpcException ToRpcException(Exception exception, ServerCallContext context) => exception switch
    {
        // A client stream's message over the transport's hard cap: grpc-dotnet's reader says so without an ErrorInfo.
        RpcException { StatusCode: StatusCode.ResourceExhausted } rpc when rpc.Trailers.Get(DetailsTrailer) is null =>
            RpcErrors.ToException(UnreadableRequests.TooLarge(options.Value.MaxRequestBytes)),
        // The standard health service's answer for a name it has no status for, without an ErrorInfo.
        RpcException { StatusCode: StatusCode.NotFound } rpc when rpc.Trailers.Get(DetailsTrailer) is null
            && context.Method.StartsWith(HealthMethodPrefix, StringComparison.Ordinal) =>
            RpcErrors.ToException(Refusal.Of(ErrorReason.ServiceNotFound, "The health service reports no status for this service name.")),
        RpcException rpc => rpc,
        LedgerBusyException => RpcErrors.Retryable(ErrorReason.ExchangeBusy, "The exchange is busy; retry shortly.", BusyRetryDelay),
        LedgerUnavailableException => RpcErrors.Retryable(ErrorReason.ExchangeBusy,
            "The ledger's database is unavailable; retry shortly with the same idempotency key.", BusyRetryDelay),
        // A read that found the database away or locked (PostgreSQL restarting, say): the next may well succeed.
        System.Data.Common.DbException { IsTransient: true } => Unavailable(exception, context),
        OperationCanceledException when context.CancellationToken.IsCancellationRequested =>
            new RpcException(new Status(StatusCode.Cancelled, "The call was cancelled.")),
        _ => Unexpected(exception, context),
    };

    private RpcException Unavailable(Exception exception, ServerCallContext context)
    {
        LogUnavailable(context.Method, exception.Message);
        return RpcErrors.Retryable(ErrorReason.ExchangeBusy, "The ledger's database is unavailable; retry shortly.", BusyRetryDelay);
    }

    private RpcException Unexpected(Exception exception, ServerCallContext context)
    {
        LogUnexpected(exception, context.Method);
        return RpcErrors.ToException(Refusal.Of(ErrorReason.Internal,
            "An unexpected error occurred. Retrying with the same idempotency key is safe."));
    }

    /// <summary>The access-log line of a call; <see cref="TransportRefusals"/> writes it for calls refused before this step.</summary>
    internal static void LogAccess(ILogger logger, Caller? caller, string method, StatusCode code, long started)
    {
        if (!logger.IsEnabled(LogLevel.Information))
        {
            return;
        }
        var partner = caller?.ProgramCode ?? (caller is null ? "-" : "operator");
        var elapsedMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        LogCall(logger, partner, caller?.KeyId ?? "-", method, code, elapsedMs);
    }

    [LoggerMessage(EventId = 1001, Level = LogLevel.Information,
        Message = "{Partner} {KeyId} {Method} {StatusCode} in {ElapsedMs:0.000} ms")]
    private static partial void LogCall(ILogger logger, string partner, string keyId, string method, StatusCode statusCode, double elapsedMs);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Warning, Message = "{Method} found the ledger's database unavailable: {Reason}")]
    private partial void LogUnavailable(string method, string reason);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Error, Message = "Unexpected failure in {Method}")]
    private partial void LogUnexpected(Exception exception, string method);
}
