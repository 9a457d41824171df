using Grpc.Core;
using PartnerExchange.Domain;
using PartnerExchange.Ledger.Commands;
using PartnerExchange.Server.Errors;
using PartnerExchange.Server.Hosting;
using PartnerExchange.Server.Policy;

namespace PartnerExchange.Server.Security;

/// <summary>
/// Authenticates every call and checks the key's role against the RPC's policy before anything else is looked at
/// (permission before existence). Anonymous RPCs (health, reflection) stay open.
/// </summary>
internal sealed class AuthenticationInterceptor(Authenticator authenticator, RpcPolicies policies) : CallStepInterceptor
{
    protected override async Task BeforeCallAsync(ServerCallContext context)
    {
        var required = policies.Of(context.Method).Role;
        if (required == CallerRole.Anonymous)
        {
            return;
        }
        var outcome = await authenticator.AuthenticateAsync(context.RequestHeaders.GetValue("authorization"), context.CancellationToken)
            .ConfigureAwait(false);
        if (!outcome.IsSuccess)
        {
            throw RpcErrors.ToException(outcome.Refusal);
        }
        var caller = outcome.Value;
        if (required == CallerRole.Operator && caller.Role != ApiKeyRole.Operator)
        {
            throw RpcErrors.ToException(Refusal.Of(ErrorReason.OperatorKeyRequired, "This RPC needs an operator key."));
        }
        if (required == CallerRole.Partner && caller.Role != ApiKeyRole.Partner)
        {
            throw RpcErrors.ToException(Refusal.Of(ErrorReason.PartnerKeyRequired, "This RPC needs a partner key."));
        }
        caller.AttachTo(context);
    }
}
