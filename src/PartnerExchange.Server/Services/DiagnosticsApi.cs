using Grpc.Core;
using PartnerExchange.Ledger;
using PartnerExchange.Server.Hosting;
using PartnerExchange.Server.Mapping;
using PartnerExchange.Server.Security;
using PartnerExchange.V1;
using KeyRole = PartnerExchange.Ledger.Commands.ApiKeyRole;
using StorageEngine = PartnerExchange.Ledger.Storage.LedgerEngine;

namespace PartnerExchange.Server.Services;

/// <summary>The Diagnostics service: who is calling, the server's time and version, and for operators the ledger's engine.</summary>
internal sealed class DiagnosticsApi(TimeProvider clock, LedgerDatabase ledger) : DiagnosticsService.DiagnosticsServiceBase
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
            LedgerEngine = caller.Role == KeyRole.Operator ? ToProto(ledger.Engine) : LedgerEngine.Unspecified,
        });
    }

    private static LedgerEngine ToProto(StorageEngine engine) => engine switch
    {
        StorageEngine.Sqlite => LedgerEngine.Sqlite,
        StorageEngine.Postgres => LedgerEngine.Postgres,
        _ => LedgerEngine.Unspecified,
    };
}
