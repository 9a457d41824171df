using System.Diagnostics;
using System.Globalization;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using PartnerExchange.Domain;
using PartnerExchange.Server.Errors;
using PartnerExchange.Server.Metrics;

namespace PartnerExchange.Server.Hosting;

/// <summary>
/// Gives an ErrorInfo, an access-log line and a metric to the calls grpc-dotnet refuses before any interceptor
/// runs: a request frame over the transport's hard cap (<see cref="ExchangeOptions.HardRequestBytesCap"/>), a method
/// the exchange does not have, a compression it does not support. Such an answer is still unsent when the gRPC
/// endpoint returns (a refusal without messages goes out as headers only, when the pipeline ends), so its status
/// details can be added here.
/// </summary>
internal sealed class TransportRefusals(RequestDelegate next, ILogger<CallLoggingInterceptor> accessLog, CallMetrics metrics,
    IOptions<ExchangeOptions> options)
{
    /// <summary>
    /// The <see cref="ServerCallContext.UserState"/> entry of a call the interceptors answered with an error (and logged);
    /// set only then, so a call that succeeds costs no entry.
    /// </summary>
    public const string SeenByInterceptorsKey = "partnerexchange.call-seen";

    private const string StatusHeader = "grpc-status";
    private const string MessageHeader = "grpc-message";
    private const string DetailsHeader = "grpc-status-details-bin";

    public async Task InvokeAsync(HttpContext http)
    {
        ArgumentNullException.ThrowIfNull(http);
        var started = Stopwatch.GetTimestamp();
        await next(http).ConfigureAwait(false);
        if (http.Request.ContentType?.StartsWith("application/grpc", StringComparison.Ordinal) != true)
        {
            return;
        }
        // Headers only (the usual case: nothing was sent) or, should a response have started, the trailers.
        var fields = http.Response.HasStarted ? http.Features.Get<IHttpResponseTrailersFeature>()?.Trailers : http.Response.Headers;
        if (fields is null || !int.TryParse(fields[StatusHeader], NumberStyles.None, CultureInfo.InvariantCulture, out var number)
            || number == (int)StatusCode.OK || http.Items.ContainsKey(SeenByInterceptorsKey))
        {
            return;
        }
        var code = (StatusCode)number;
        // A deadline or a cancellation is no refusal, and grpc-dotnet answers it from its own timer or abort, which may
        // still be writing this very response: its headers are not ours to touch.
        if (code is StatusCode.DeadlineExceeded or StatusCode.Cancelled)
        {
            return;
        }
        if (!fields.ContainsKey(DetailsHeader))
        {
            var status = RpcErrors.ToStatus(RefusalFor(code, fields[MessageHeader].ToString()));
            // The transport chose the code (RESOURCE_EXHAUSTED for size); the details explain it.
            status.Code = number;
            fields[DetailsHeader] = Convert.ToBase64String(status.ToByteArray());
            fields[MessageHeader] = Uri.EscapeDataString(status.Message);
        }
        metrics.Record(http.Request.Path, code, started, CallMetrics.PartnerLabel(null, authenticated: false));
        CallLoggingInterceptor.LogAccess(accessLog, null, http.Request.Path, code, started);
    }

    private Refusal RefusalFor(StatusCode code, string transportMessage)
    {
        if (code == StatusCode.ResourceExhausted)
        {
            return UnreadableRequests.TooLarge(options.Value.MaxRequestBytes);
        }
        return Refusal.Of(ErrorReason.MalformedRequest, transportMessage.Length > 0 ? Uri.UnescapeDataString(transportMessage) : "The request could not be read.");
    }
}
