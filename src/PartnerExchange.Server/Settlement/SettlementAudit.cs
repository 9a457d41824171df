using Grpc.Core;
using PartnerExchange.V1;

namespace PartnerExchange.Server.Settlement;

/// <summary>
/// PLACEHOLDER so the settlement service builds before the real liability and ledger verification land;
/// the engineer implementing them replaces this whole file.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1822", Justification = "Placeholder; the real audit reads the ledger.")]
internal sealed class SettlementAudit
{
    public Task<GetLiabilityResponse> GetLiabilityAsync(GetLiabilityRequest request, ServerCallContext context) =>
        throw new RpcException(new Status(StatusCode.Unimplemented, "GetLiability is not implemented yet."));

    public Task<VerifyLedgerResponse> VerifyLedgerAsync(VerifyLedgerRequest request, ServerCallContext context) =>
        throw new RpcException(new Status(StatusCode.Unimplemented, "VerifyLedger is not implemented yet."));
}
