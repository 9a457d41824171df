using Google.Rpc;
using Grpc.Core;

namespace PartnerExchange.Testing;

/// <summary>Asserts on gRPC errors by code and stable reason, never by message text.</summary>
public static class RpcAssert
{
    public static async Task<RpcException> FailsAsync(StatusCode code, string reason, Func<Task> call)
    {
        var error = await Assert.ThrowsAsync<RpcException>(call);
        Assert.Equal(code, error.StatusCode);
        Assert.Equal(reason, ReasonOf(error));
        Assert.Equal("partnerexchange.net", InfoOf(error)?.Domain);
        return error;
    }

    public static Task<RpcException> FailsAsync<T>(StatusCode code, string reason, Func<AsyncUnaryCall<T>> call) =>
        FailsAsync(code, reason, async () => await call());

    /// <summary>INVALID_ARGUMENT, VALIDATION_FAILED, with a field violation on each of the given fields.</summary>
    public static Task<RpcException> InvalidAsync<T>(Func<AsyncUnaryCall<T>> call, params string[] fields) =>
        InvalidAsync(() => call().ResponseAsync, fields);

    /// <summary>INVALID_ARGUMENT, VALIDATION_FAILED, with a field violation on each of the given fields.</summary>
    public static async Task<RpcException> InvalidAsync(Func<Task> call, params string[] fields)
    {
        var error = await FailsAsync(StatusCode.InvalidArgument, "VALIDATION_FAILED", call);
        var violations = error.GetRpcStatus()?.GetDetail<BadRequest>()?.FieldViolations.Select(v => v.Field).ToHashSet() ?? [];
        foreach (var field in fields)
        {
            Assert.Contains(field, violations);
        }
        return error;
    }

    public static ErrorInfo? InfoOf(RpcException error) => error.GetRpcStatus()?.GetDetail<ErrorInfo>();

    public static string? ReasonOf(RpcException error) => InfoOf(error)?.Reason;
}
