using Grpc.Core;
using PartnerExchange.Server.Hosting;
using PartnerExchange.Server.Mapping;
using PartnerExchange.Server.Security;
using PartnerExchange.V1;

namespace PartnerExchange.Server.Services;

/// <summary>The Diagnostics service: who is calling, the server's time and version.</summary>
internal sealed class DiagnosticsApi(TimeProvider clock) : DiagnosticsService.DiagnosticsServiceBase
{
    public override Task<PingResponse> Ping(PingRequest request, ServerCallContext context)
    {
        var caller = Caller.Of(context);
        return Task.FromResult(new PingResponse
        {
            ProgramCode = caller.ProgramCode ?? "",
            KeyId = caller.KeyId,
            ServerTime = clock.GetUtcNow().ToProto(),
            ServerVersion = ExchangeVersion.Current,
        });
    }
}
