using Grpc.Core;
using PartnerExchange.Server.Events;
using PartnerExchange.Server.Security;
using PartnerExchange.Server.Validation;
using PartnerExchange.V1;
using ApiKeyRole = PartnerExchange.Ledger.Commands.ApiKeyRole;

namespace PartnerExchange.Server.Services;

/// <summary>The Events service: a partner's durable, resumable feed of its own program's events.</summary>
internal sealed class EventsApi(EventStreams streams) : EventsService.EventsServiceBase
{
    public override Task StreamEvents(
        StreamEventsRequest request, IServerStreamWriter<StreamEventsResponse> responseStream, ServerCallContext context)
    {
        var caller = Caller.Of(context);
        var programCode = request.ValidateFor(caller);
        var start = new StreamStart(programCode, caller.Role == ApiKeyRole.Operator, caller.KeyId, request.FromNow ? null : request.AfterCursor);
        return streams.RunAsync(start, responseStream, context);
    }
}
