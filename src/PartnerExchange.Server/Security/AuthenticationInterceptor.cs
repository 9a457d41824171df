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
    private const string DiagnosticsServicePrefix = "/partnerexchange.v1.DiagnosticsService/";
    private const string EventsServicePrefix = "/partnerexchange.v1.EventsService/";

    // Reads of members and transactions that operators may make too, naming the program (support sees what a
    // partner sees); the service applies the partner and operator rules itself.
    private static readonly HashSet<string> ReadsOfAnyProgram = new(StringComparer.Ordinal)
    {
        "/partnerexchange.v1.PointsService/GetAccount",
        "/partnerexchange.v1.PointsService/ListTransactions",
        "/partnerexchange.v1.PointsService/GetTransaction",
    };

    /// <summary>
    /// The role a method needs: operators for admin and settlement, partners for points and conversion; null
    /// for any key (diagnostics; events and the reads above, whose services apply the partner and operator
    /// rules themselves).
    /// </summary>
    private static ApiKeyRole? RequiredRole(string method) =>
        method.StartsWith(AdminServicePrefix, StringComparison.Ordinal) || method.StartsWith(SettlementServicePrefix, StringComparison.Ordinal)
            ? ApiKeyRole.Operator
            : method.StartsWith(DiagnosticsServicePrefix, StringComparison.Ordinal) || method.StartsWith(EventsServicePrefix, StringComparison.Ordinal)
                || ReadsOfAnyProgram.Contains(method)
                ? null
                : ApiKeyRole.Partner;

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
        var required = RequiredRole(context.Method);
        if (required == ApiKeyRole.Operator && caller.Role != ApiKeyRole.Operator)
        {
            throw RpcErrors.ToException(Refusal.Of(ErrorReason.OperatorKeyRequired, "This RPC needs an operator key."));
        }
        if (required == ApiKeyRole.Partner && caller.Role != ApiKeyRole.Partner)
        {
            throw RpcErrors.ToException(Refusal.Of(ErrorReason.PartnerKeyRequired, "This RPC needs a partner key."));
        }
        caller.AttachTo(context);
    }
}
