using System.Globalization;
using Google.Protobuf.Reflection;
using Grpc.Core;
using PartnerExchange.Testing;
using PartnerExchange.V1;
using PartnerExchange.Server.Tests.Metrics;

namespace PartnerExchange.Server.Tests.Hosting;

/// <summary>A server with a small message limit, its metrics on and its access log kept.</summary>
public sealed class SmallMessageExchange : IAsyncLifetime
{
    public const int MaxRequestBytes = 1024;

    public RunningExchange Exchange { get; } = new();

    public Uri MetricsAddress { get; } = new($"http://127.0.0.1:{LoopbackPorts.Free().ToString(CultureInfo.InvariantCulture)}/metrics");

    public TestPartner Partner { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Exchange.Settings["Metrics:Listen"] = MetricsAddress.GetLeftPart(UriPartial.Authority);
        Exchange.Settings["Exchange:MaxRequestBytes"] = MaxRequestBytes.ToString(CultureInfo.InvariantCulture);
        Exchange.Settings["Serilog:MinimumLevel:Override:PartnerExchange.Server.Hosting.CallLoggingInterceptor"] = "Information";
        await Exchange.InitializeAsync();
        Partner = await Exchange.CreatePartnerAsync();
    }

    public Task DisposeAsync() => Exchange.DisposeAsync();
}

/// <summary>
/// Bytes that are no request message of the RPC, sent through a real channel to every RPC of every service: the
/// caller is authenticated and its role checked first, then the bytes are refused with an ErrorInfo, logged once
/// and counted, with no error logged (the base class fails a test that logs one).
/// </summary>
[Collection(nameof(MetricsRunAlone))]
public sealed class MalformedRequestTests(SmallMessageExchange fixture) : IntegrationTest(fixture.Exchange), IClassFixture<SmallMessageExchange>
{
    // Field 1 says five bytes follow and one does: no message of any type parses from it.
    private static readonly byte[] Truncated = [0x0a, 0x05, 0x01];

    private static readonly Marshaller<byte[]> Bytes = Marshallers.Create(bytes => bytes, bytes => bytes);

    private static readonly FileDescriptor[] Files =
    [
        PointsReflection.Descriptor, ConversionReflection.Descriptor, AdminReflection.Descriptor, SettlementReflection.Descriptor,
        DiagnosticsReflection.Descriptor, EventsReflection.Descriptor,
    ];

    public static TheoryData<string> EveryRpc() => new(AllMethods().Select(Name));

    public static TheoryData<string> OperatorRpcs() =>
        new(AllMethods().Where(NeedsOperator).Select(Name));

    public static TheoryData<string> RpcsWithAStringField() =>
        new(AllMethods().Where(m => FirstStringField(m) is not null).Select(Name));

    [Theory]
    [MemberData(nameof(EveryRpc))]
    public async Task Rejects_UnreadableBodyWithoutKey_AsUnauthenticated(string rpc) =>
        await RpcAssert.FailsAsync(StatusCode.Unauthenticated, "API_KEY_MISSING", () => CallAsync(rpc, Truncated, new Metadata()));

    [Theory]
    [MemberData(nameof(OperatorRpcs))]
    public async Task Rejects_UnreadableBodyFromAPartnerOnAnOperatorRpc_AsPermissionDenied(string rpc) =>
        await RpcAssert.FailsAsync(StatusCode.PermissionDenied, "OPERATOR_KEY_REQUIRED",
            () => CallAsync(rpc, Truncated, RunningExchange.Bearer(fixture.Partner.Key)));

    [Theory]
    [MemberData(nameof(EveryRpc))]
    public async Task Rejects_UnreadableBodyWithTheRightKey_AsMalformedRequest(string rpc) =>
        await RpcAssert.FailsAsync(StatusCode.InvalidArgument, "MALFORMED_REQUEST", () => CallAsync(rpc, Truncated, KeyFor(rpc)));

    [Theory]
    [MemberData(nameof(RpcsWithAStringField))]
    public async Task Rejects_InvalidUtf8InAStringField_AsMalformedRequest(string rpc)
    {
        var field = FirstStringField(Find(rpc))!.FieldNumber;
        byte[] body = [(byte)((field << 3) | 2), 0x02, 0xff, 0xfe];

        await RpcAssert.FailsAsync(StatusCode.InvalidArgument, "MALFORMED_REQUEST", () => CallAsync(rpc, body, KeyFor(rpc)));
    }

    [Fact]
    public async Task Accrue_InvalidUtf8_IsRefusedLoggedAndCountedAndChangesNothing()
    {
        var member = await fixture.Partner.EnrollAsync();
        await fixture.Partner.AccrueAsync(member, 100);
        const string accrue = "PointsService/Accrue";
        var logsBefore = AccessLogLines(accrue, StatusCode.InvalidArgument);
        var countedBefore = Counted("Accrue", "INVALID_ARGUMENT", await ScrapeAsync());
        var eventsBefore = Exchange.Logs.Count;

        // The bytes: member_number (field 2) holding 0xff 0xfe, which is not UTF-8.
        await RpcAssert.FailsAsync(StatusCode.InvalidArgument, "MALFORMED_REQUEST",
            () => CallAsync(accrue, [0x12, 0x02, 0xff, 0xfe], RunningExchange.Bearer(fixture.Partner.Key)));

        Assert.Equal(100, await fixture.Partner.BalanceAsync(member));
        Assert.Equal(logsBefore + 1, AccessLogLines(accrue, StatusCode.InvalidArgument));
        Assert.Equal(countedBefore + 1, Counted("Accrue", "INVALID_ARGUMENT", await ScrapeAsync()));
        Assert.DoesNotContain(Exchange.Logs.Skip(eventsBefore), e => e.Exception is not null);
    }

    [Theory]
    [InlineData("PointsService/Accrue")]
    [InlineData("EventsService/StreamEvents")]
    [InlineData("SettlementService/ReconcileStatement")]
    public async Task Rejects_MessageOverTheLimit_AfterAuthentication_AsRequestTooLarge(string rpc)
    {
        var body = new byte[SmallMessageExchange.MaxRequestBytes + 1];

        await RpcAssert.FailsAsync(StatusCode.Unauthenticated, "API_KEY_MISSING", () => CallAsync(rpc, body, new Metadata()));
        var error = await RpcAssert.FailsAsync(StatusCode.ResourceExhausted, "REQUEST_TOO_LARGE", () => CallAsync(rpc, body, KeyFor(rpc)));
        Assert.Equal(SmallMessageExchange.MaxRequestBytes.ToString(CultureInfo.InvariantCulture), RpcAssert.InfoOf(error)!.Metadata["max_request_bytes"]);
    }

    [Theory]
    [InlineData("PointsService/Accrue")]
    [InlineData("EventsService/StreamEvents")]
    [InlineData("SettlementService/ReconcileStatement")]
    public async Task Rejects_MessageOverTheHardCap_WithAnErrorInfo_LoggedAndCounted(string rpc)
    {
        var method = rpc[(rpc.IndexOf('/', StringComparison.Ordinal) + 1)..];
        var logsBefore = AccessLogLines(rpc, StatusCode.ResourceExhausted);
        var countedBefore = Counted(method, "RESOURCE_EXHAUSTED", await ScrapeAsync());
        var body = new byte[4 * SmallMessageExchange.MaxRequestBytes];

        await RpcAssert.FailsAsync(StatusCode.ResourceExhausted, "REQUEST_TOO_LARGE", () => CallAsync(rpc, body, KeyFor(rpc)));

        Assert.Equal(logsBefore + 1, AccessLogLines(rpc, StatusCode.ResourceExhausted));
        Assert.Equal(countedBefore + 1, Counted(method, "RESOURCE_EXHAUSTED", await ScrapeAsync()));
    }

    private static IEnumerable<MethodDescriptor> AllMethods() => Files.SelectMany(f => f.Services).SelectMany(s => s.Methods);

    private static string Name(MethodDescriptor method) => $"{method.Service.Name}/{method.Name}";

    private static MethodDescriptor Find(string rpc) => AllMethods().Single(m => Name(m) == rpc);

    private static bool NeedsOperator(MethodDescriptor method) => method.Service.Name is "AdminService" or "SettlementService";

    private static FieldDescriptor? FirstStringField(MethodDescriptor method) =>
        method.InputType.Fields.InFieldNumberOrder().FirstOrDefault(f => f.FieldType == FieldType.String);

    private Metadata KeyFor(string rpc) =>
        RunningExchange.Bearer(NeedsOperator(Find(rpc)) ? Exchange.OperatorKey : fixture.Partner.Key);

    /// <summary>Sends <paramref name="body"/> as the request (or the one message of a client stream) of <paramref name="rpc"/>.</summary>
    private async Task CallAsync(string rpc, byte[] body, Metadata headers)
    {
        var descriptor = Find(rpc);
        var type = (descriptor.IsClientStreaming, descriptor.IsServerStreaming) switch
        {
            (false, false) => MethodType.Unary,
            (false, true) => MethodType.ServerStreaming,
            (true, false) => MethodType.ClientStreaming,
            (true, true) => MethodType.DuplexStreaming,
        };
        var method = new Method<byte[], byte[]>(type, descriptor.Service.FullName, descriptor.Name, Bytes, Bytes);
        var options = new CallOptions(headers, DateTime.UtcNow.AddSeconds(30));
        var invoker = Exchange.Channel.CreateCallInvoker();
        switch (type)
        {
            case MethodType.Unary:
                await invoker.AsyncUnaryCall(method, null, options, body);
                break;
            case MethodType.ServerStreaming:
                using (var call = invoker.AsyncServerStreamingCall(method, null, options, body))
                {
                    while (await call.ResponseStream.MoveNext(CancellationToken.None))
                    {
                    }
                }
                break;
            default:
                using (var call = invoker.AsyncClientStreamingCall(method, null, options))
                {
                    try
                    {
                        await call.RequestStream.WriteAsync(body);
                        await call.RequestStream.CompleteAsync();
                    }
                    catch (RpcException)
                    {
                        // The server answered before taking the message; the response says how.
                    }
                    await call.ResponseAsync;
                }
                break;
        }
    }

    private int AccessLogLines(string rpc, StatusCode code) => Exchange.Logs.Count(e =>
        e.MessageTemplate.Text.StartsWith("{Partner} {KeyId} {Method} {StatusCode}", StringComparison.Ordinal)
        && e.Properties["Method"].ToString() == $"\"/partnerexchange.v1.{rpc}\""
        && e.Properties["StatusCode"].ToString() == code.ToString());

    private static double Counted(string method, string status, string metrics) => Prometheus.Sum(metrics,
        "partnerexchange_rpc_duration_seconds_count", $"rpc_method=\"{method}\"", $"rpc_grpc_status_code=\"{status}\"");

    private Task<string> ScrapeAsync() => Prometheus.ScrapeAsync(fixture.MetricsAddress);
}
