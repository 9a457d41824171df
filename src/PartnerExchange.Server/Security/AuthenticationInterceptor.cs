using Grpc.Core;
using PartnerExchange.Domain;
using PartnerExchange.Ledger.Commands;
using PartnerExchange.Server.Errors;
using PartnerExchange.Server.Hosting;

namespace PartnerExchange.Server.Security;

/// <summary>
/// Authenticates every call to the exchange's own services and checks the key's role against the
/// service before anything else is looked at (permission before existence). Health and reflection stay open.
/// </summary>
internal sealed class AuthenticationInterceptor(Authenticator authenticator) : CallStepInterceptor
{
    private const string OwnServicePrefix = "/partnerexchange.v1.";
    private const string AdminServicePrefix = "/partnerexchange.v1.AdminService/";
    private const string SettlementServicePrefix = "/partnerexchange.v1.SettlementService/";

    protected override async Task BeforeCallAsync(ServerCallContext context)
    {
        if (!context.Method.StartsWith(OwnServicePrefix, StringComparison.Ordinal))
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
        var wantsOperator = context.Method.StartsWith(AdminServicePrefix, StringComparison.Ordinal)
            || context.Method.StartsWith(SettlementServicePrefix, StringComparison.Ordinal);
        if (wantsOperator && caller.Role != ApiKeyRole.Operator)
        {
            throw RpcErrors.ToException(Refusal.Of(ErrorReason.OperatorKeyRequired, "This RPC needs an operator key."));
        }
        if (!wantsOperator && caller.Role != ApiKeyRole.Partner)
        {
            throw RpcErrors.ToException(Refusal.Of(ErrorReason.PartnerKeyRequired, "This RPC needs a partner key."));
        }
        caller.AttachTo(context);
    }
}
