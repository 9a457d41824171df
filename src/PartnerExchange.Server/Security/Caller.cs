using Grpc.Core;
using PartnerExchange.Ledger.Commands;
using PartnerExchange.Ledger.Writing;

namespace PartnerExchange.Server.Security;

/// <summary>Who is calling, established from the API key alone.</summary>
internal sealed record Caller(ApiKeyRole Role, string? ProgramCode, string KeyId)
{
    private const string UserStateKey = "partnerexchange.caller";

    /// <summary>The idempotency scope: the partner's program, or the operators' shared scope.</summary>
    public string Principal => ProgramCode ?? IdempotencyScope.OperatorPrincipal;

    /// <summary>The calling partner's program code; only partner-key RPCs call this.</summary>
    public string Program => ProgramCode ?? throw new InvalidOperationException("An operator has no program.");

    public void AttachTo(ServerCallContext context) => context.UserState[UserStateKey] = this;

    public static Caller Of(ServerCallContext context) =>
        TryOf(context) ?? throw new InvalidOperationException("The call was not authenticated; the interceptor is missing.");

    public static Caller? TryOf(ServerCallContext context) =>
        context.UserState.TryGetValue(UserStateKey, out var caller) ? (Caller)caller : null;
}
