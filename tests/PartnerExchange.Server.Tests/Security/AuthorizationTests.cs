using Google.Protobuf.Reflection;
using Grpc.Core;
using Grpc.Core.Interceptors;
using PartnerExchange.Testing;
using PartnerExchange.V1;

namespace PartnerExchange.Server.Tests.Security;

/// <summary>
/// Who may call what: authentication, the operator/partner split (checked before anything is looked up),
/// and the wall between partners — another program's members and transactions answer exactly like ones
/// that do not exist.
/// </summary>
public sealed class AuthorizationTests(RunningExchange exchange) : IntegrationTest(exchange), IClassFixture<RunningExchange>
{
    private const string WellFormedUnknownKey = "pxk_0123456789abcdef_0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    // ---- Authentication and roles, for every RPC of every service in the protos ----

    [Theory]
    [MemberData(nameof(AllRpcs))]
    public async Task Rpc_WithoutAuthorizationHeader_FailsWithApiKeyMissing(string rpc)
    {
        await RpcAssert.FailsAsync(StatusCode.Unauthenticated, "API_KEY_MISSING", () => CallAsync(Exchange.Channel.CreateCallInvoker(), rpc));
    }

    [Theory]
    [MemberData(nameof(AllRpcs))]
    public async Task Rpc_WithUnknownKey_FailsWithApiKeyInvalid(string rpc)
    {
        var invoker = Exchange.Channel.Intercept(m => WithKey(m, WellFormedUnknownKey));

        await RpcAssert.FailsAsync(StatusCode.Unauthenticated, "API_KEY_INVALID", () => CallAsync(invoker, rpc));
    }

    [Theory]
    [InlineData("Bearer not-a-key")]
    [InlineData("Bearer " + WellFormedUnknownKey)]
    [InlineData("Basic dXNlcjpwYXNz")]
    [InlineData(WellFormedUnknownKey)]
    [InlineData("Bearer pxk_0123456789abcdef")]
    public async Task Call_WithMalformedOrUnknownKey_FailsWithApiKeyInvalid(string authorization)
    {
        var invoker = Exchange.Channel.Intercept(m => WithHeader(m, authorization));

        await RpcAssert.FailsAsync(StatusCode.Unauthenticated, "API_KEY_INVALID", () => CallAsync(invoker, "partnerexchange.v1.PointsService.GetAccount"));
    }

    [Fact]
    public async Task Call_WithKnownKeyIdButWrongSecret_FailsWithApiKeyInvalid()
    {
        var shop = await Exchange.CreatePartnerAsync();
        var last = shop.Key[^1] == '0' ? '1' : '0';
        var forged = shop.Key[..^1] + last;

        await RpcAssert.FailsAsync(StatusCode.Unauthenticated, "API_KEY_INVALID",
            () => CallAsync(Exchange.Channel.Intercept(m => WithKey(m, forged)), "partnerexchange.v1.PointsService.GetAccount"));
    }

    // An empty request is refused INVALID_ARGUMENT by every RPC that gets to read it, so PERMISSION_DENIED here also
    // shows the role is checked before the request is read, let alone anything looked up.
    [Theory]
    [MemberData(nameof(OperatorRpcs))]
    public async Task OperatorRpc_WithPartnerKey_FailsWithOperatorKeyRequiredBeforeReadingTheRequest(string rpc)
    {
        var shop = await Exchange.CreatePartnerAsync();

        await RpcAssert.FailsAsync(StatusCode.PermissionDenied, "OPERATOR_KEY_REQUIRED",
            () => CallAsync(Exchange.Channel.Intercept(m => WithKey(m, shop.Key)), rpc));
    }

    [Fact]
    public async Task CreatePartner_WithPartnerKey_CreatesNothing()
    {
        var shop = await Exchange.CreatePartnerAsync();
        var admin = new AdminService.AdminServiceClient(Exchange.Channel.Intercept(m => WithKey(m, shop.Key)));
        var code = Exchange.NewProgramCode("NEW");

        await Assert.ThrowsAsync<RpcException>(async () => await admin.CreatePartnerAsync(new CreatePartnerRequest
        {
            IdempotencyKey = NewKey(),
            ProgramCode = code,
            DisplayName = "Sneaky",
            ProgramName = "Sneaky Points",
            Kind = PartnerKind.Other,
            SettlementCurrencyCode = "USD",
            PointPriceMicros = 1,
        }));

        await RpcAssert.FailsAsync(StatusCode.NotFound, "PARTNER_NOT_FOUND",
            () => Exchange.Admin().GetPartnerAsync(new GetPartnerRequest { ProgramCode = code }));
    }

    [Theory]
    [MemberData(nameof(PartnerRpcs))]
    public async Task PartnerRpc_WithOperatorKey_FailsWithPartnerKeyRequired(string rpc)
    {
        var invoker = Exchange.Channel.Intercept(m => WithKey(m, Exchange.OperatorKey));

        await RpcAssert.FailsAsync(StatusCode.PermissionDenied, "PARTNER_KEY_REQUIRED", () => CallAsync(invoker, rpc));
    }

    [Fact]
    public async Task PartnerRpc_WithStoredOperatorKey_FailsWithPartnerKeyRequired()
    {
        var created = await Exchange.Admin().CreateApiKeyAsync(new CreateApiKeyRequest
        {
            IdempotencyKey = NewKey(),
            Role = ApiKeyRole.Operator,
            Label = "ops",
        });
        var invoker = Exchange.Channel.Intercept(m => WithKey(m, created.Secret));

        await RpcAssert.FailsAsync(StatusCode.PermissionDenied, "PARTNER_KEY_REQUIRED", () => CallAsync(invoker, "partnerexchange.v1.PointsService.Accrue"));
    }

    [Theory]
    [MemberData(nameof(AnyKeyRpcs))]
    public async Task AnyKeyRpc_WithPartnerOrOperatorKey_PassesAuthentication(string rpc)
    {
        var shop = await Exchange.CreatePartnerAsync();

        foreach (var key in new[] { shop.Key, Exchange.OperatorKey })
        {
            var code = await StatusOfAsync(Exchange.Channel.Intercept(m => WithKey(m, key)), rpc);

            Assert.NotEqual(StatusCode.Unauthenticated, code);
            Assert.NotEqual(StatusCode.PermissionDenied, code);
        }
    }

    // ---- One partner never reaches another's members ----

    [Fact]
    public async Task GetAccount_OtherPartnersMember_AnswersExactlyLikeUnknownMember()
    {
        var (a, b) = (await Exchange.CreatePartnerAsync(), await Exchange.CreatePartnerAsync());
        var theirs = await b.EnrollAsync();
        await b.AccrueAsync(theirs, 100);

        var forOther = await RpcAssert.FailsAsync(StatusCode.NotFound, "MEMBER_NOT_FOUND",
            () => a.Points.GetAccountAsync(new GetAccountRequest { MemberNumber = theirs }));
        var forUnknown = await RpcAssert.FailsAsync(StatusCode.NotFound, "MEMBER_NOT_FOUND",
            () => a.Points.GetAccountAsync(new GetAccountRequest { MemberNumber = "M" + NewKey()[..10] }));

        Assert.Equal(forUnknown.GetRpcStatus(), forOther.GetRpcStatus());
    }

    [Fact]
    public async Task Redeem_OtherPartnersMember_FailsWithMemberNotFoundAndMovesNothing()
    {
        var (a, b) = (await Exchange.CreatePartnerAsync(), await Exchange.CreatePartnerAsync());
        var theirs = await b.EnrollAsync();
        await b.AccrueAsync(theirs, 100);

        await RpcAssert.FailsAsync(StatusCode.NotFound, "MEMBER_NOT_FOUND",
            () => a.Points.RedeemAsync(new RedeemRequest { IdempotencyKey = NewKey(), MemberNumber = theirs, Points = 10 }));

        Assert.Equal(100, await b.BalanceAsync(theirs));
    }

    [Fact]
    public async Task Accrue_OtherPartnersMember_FailsWithMemberNotFoundAndMovesNothing()
    {
        var (a, b) = (await Exchange.CreatePartnerAsync(), await Exchange.CreatePartnerAsync());
        var theirs = await b.EnrollAsync();

        await RpcAssert.FailsAsync(StatusCode.NotFound, "MEMBER_NOT_FOUND",
            () => a.Points.AccrueAsync(new AccrueRequest { IdempotencyKey = NewKey(), MemberNumber = theirs, Points = 10, Reason = AccrualReason.Promotion }));

        Assert.Equal(0, await b.BalanceAsync(theirs));
    }

    [Fact]
    public async Task ListTransactions_OtherPartnersMember_FailsWithMemberNotFound()
    {
        var (a, b) = (await Exchange.CreatePartnerAsync(), await Exchange.CreatePartnerAsync());
        var theirs = await b.EnrollAsync();
        await b.AccrueAsync(theirs, 100);

        await RpcAssert.FailsAsync(StatusCode.NotFound, "MEMBER_NOT_FOUND",
            () => a.Points.ListTransactionsAsync(new ListTransactionsRequest { MemberNumber = theirs }));
    }

    [Fact]
    public async Task EnrollMember_NumberUsedByOtherPartner_EnrollsSeparately()
    {
        var (a, b) = (await Exchange.CreatePartnerAsync(), await Exchange.CreatePartnerAsync());
        var number = await b.EnrollAsync();
        await b.AccrueAsync(number, 100);

        await a.EnrollAsync(number);

        Assert.Equal(0, await a.BalanceAsync(number));
        Assert.Equal(100, await b.BalanceAsync(number));
    }

    [Fact]
    public async Task Reverse_OtherPartnersTransaction_FailsWithTransactionNotFoundAndMovesNothing()
    {
        var (a, b) = (await Exchange.CreatePartnerAsync(), await Exchange.CreatePartnerAsync());
        var theirs = await b.EnrollAsync();
        var accrual = await b.AccrueAsync(theirs, 100);

        await RpcAssert.FailsAsync(StatusCode.NotFound, "TRANSACTION_NOT_FOUND",
            () => a.Points.ReverseAsync(new ReverseRequest { IdempotencyKey = NewKey(), TransactionId = accrual.Transaction.TransactionId }));

        Assert.Equal(100, await b.BalanceAsync(theirs));
    }

    [Fact]
    public async Task ListTransactions_OfProgram_NeverContainsOtherPartnersTransactions()
    {
        var (a, b) = (await Exchange.CreatePartnerAsync(), await Exchange.CreatePartnerAsync());
        var ours = await a.EnrollAsync();
        var theirs = await b.EnrollAsync();
        var mine = await a.AccrueAsync(ours, 10);
        var other = await b.AccrueAsync(theirs, 20);
        await b.Points.RedeemAsync(new RedeemRequest { IdempotencyKey = NewKey(), MemberNumber = theirs, Points = 5 });

        var listed = (await a.Points.ListTransactionsAsync(new ListTransactionsRequest())).Transactions;

        var only = Assert.Single(listed);
        Assert.Equal(mine.Transaction.TransactionId, only.TransactionId);
        Assert.DoesNotContain(listed, t => t.TransactionId == other.Transaction.TransactionId);
        Assert.All(listed, t => Assert.Equal(a.ProgramCode, t.ProgramCode));
    }

    [Fact]
    public async Task ListTransactions_OfConversionDestination_ShowsSourceProgramButNeverSourceMember()
    {
        var (shop, air, buyer, flyer, converted) = await ConvertedAsync();

        var listed = await air.Points.ListTransactionsAsync(new ListTransactionsRequest());

        var seen = Assert.Single(listed.Transactions);
        Assert.Equal(converted.Transaction.TransactionId, seen.TransactionId);
        Assert.Equal(TransactionKind.Conversion, seen.Kind);
        Assert.Equal(air.ProgramCode, seen.ProgramCode);
        Assert.Equal(flyer, seen.MemberNumber);
        Assert.Equal(shop.ProgramCode, seen.CounterpartyProgramCode);
        Assert.Equal(80, seen.Points);
        Assert.Equal(0, seen.FeePoints);
        Assert.DoesNotContain(buyer, listed.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Convert_SourceView_ShowsDestinationProgramButNeverDestinationMember()
    {
        var (shop, air, buyer, flyer, converted) = await ConvertedAsync();

        var listed = await shop.Points.ListTransactionsAsync(new ListTransactionsRequest());

        var seen = Assert.Single(listed.Transactions, t => t.Kind == TransactionKind.Conversion);
        Assert.Equal(buyer, seen.MemberNumber);
        Assert.Equal(air.ProgramCode, seen.CounterpartyProgramCode);
        Assert.Equal(-110, seen.Points);
        Assert.DoesNotContain(flyer, listed.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(flyer, converted.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetAccount_ConversionDestinationAskingForSourceMember_FailsWithMemberNotFound()
    {
        var (_, air, buyer, _, _) = await ConvertedAsync();

        await RpcAssert.FailsAsync(StatusCode.NotFound, "MEMBER_NOT_FOUND",
            () => air.Points.GetAccountAsync(new GetAccountRequest { MemberNumber = buyer }));
    }

    // ---- Helpers ----

    private static string NewKey() => Guid.NewGuid().ToString("N");

    private static Metadata WithKey(Metadata metadata, string key) => WithHeader(metadata, $"Bearer {key}");

    private static Metadata WithHeader(Metadata metadata, string authorization)
    {
        metadata.Add("authorization", authorization);
        return metadata;
    }

    /// <summary>A conversion of 100 points (fee 10) at 10:8 from a shop member into an airline member.</summary>
    private async Task<(TestPartner Shop, TestPartner Air, string Buyer, string Flyer, ConvertResponse Converted)> ConvertedAsync()
    {
        var shop = await Exchange.CreatePartnerAsync();
        var air = await Exchange.CreatePartnerAsync();
        await Exchange.SetRateAsync(shop.ProgramCode, air.ProgramCode, 10, 8, fee: 10);
        var buyer = await shop.EnrollAsync("buyer-" + NewKey()[..8]);
        var flyer = await air.EnrollAsync("flyer-" + NewKey()[..8]);
        await shop.AccrueAsync(buyer, 500);
        var converted = await shop.Conversions.ConvertAsync(new ConvertRequest
        {
            IdempotencyKey = NewKey(),
            SourceMemberNumber = buyer,
            DestinationProgramCode = air.ProgramCode,
            DestinationMemberNumber = flyer,
            SourcePoints = 100,
        });
        return (shop, air, buyer, flyer, converted);
    }

    // ---- Every RPC of the protos, and the key each needs ----

    /// <summary>
    /// Every RPC of partnerexchange.v1, read from the generated files' descriptors: a new RPC or service is covered
    /// by every test above without a line here.
    /// </summary>
    private static readonly IReadOnlyDictionary<string, MethodDescriptor> Rpcs = typeof(PointsService).Assembly.GetTypes()
        .Where(t => t.Namespace == "PartnerExchange.V1" && t.Name.EndsWith("Reflection", StringComparison.Ordinal))
        .Select(t => (FileDescriptor)t.GetProperty("Descriptor")!.GetValue(null)!)
        .SelectMany(file => file.Services)
        .SelectMany(service => service.Methods)
        .ToDictionary(rpc => rpc.FullName, StringComparer.Ordinal);

    // Reads of members and transactions that operators may make too, naming the program.
    private static readonly HashSet<string> ReadsOfAnyProgram = new(StringComparer.Ordinal) { "GetAccount", "ListTransactions", "GetTransaction" };

    private enum Needs { PartnerKey, OperatorKey, AnyKey }

    /// <summary>What the manual promises: operators for admin and settlement; any key for diagnostics, events and the reads above.</summary>
    private static Needs KeyFor(MethodDescriptor rpc) => rpc.Service.Name switch
    {
        "AdminService" or "SettlementService" => Needs.OperatorKey,
        "DiagnosticsService" or "EventsService" => Needs.AnyKey,
        _ => ReadsOfAnyProgram.Contains(rpc.Name) ? Needs.AnyKey : Needs.PartnerKey,
    };

    public static TheoryData<string> AllRpcs => RpcsThat(_ => true);

    public static TheoryData<string> OperatorRpcs => RpcsThat(rpc => KeyFor(rpc) == Needs.OperatorKey);

    public static TheoryData<string> PartnerRpcs => RpcsThat(rpc => KeyFor(rpc) == Needs.PartnerKey);

    public static TheoryData<string> AnyKeyRpcs => RpcsThat(rpc => KeyFor(rpc) == Needs.AnyKey);

    private static TheoryData<string> RpcsThat(Func<MethodDescriptor, bool> filter) => new(Rpcs.Values.Where(filter).Select(rpc => rpc.FullName).Order(StringComparer.Ordinal));

    private static readonly Marshaller<byte[]> Bytes = Marshallers.Create(bytes => bytes, bytes => bytes);

    /// <summary>
    /// Calls <paramref name="rpc"/> with an empty request (one empty message for a client stream) and reads its answers.
    /// With <paramref name="leaveStreams"/>, a response stream is left once its headers arrive (a good event stream waits
    /// for events): it then fails only when it had already failed.
    /// </summary>
    private static async Task CallAsync(CallInvoker invoker, string rpc, bool leaveStreams = false)
    {
        var descriptor = Rpcs[rpc];
        var type = (descriptor.IsClientStreaming, descriptor.IsServerStreaming) switch
        {
            (false, false) => MethodType.Unary,
            (true, false) => MethodType.ClientStreaming,
            (false, true) => MethodType.ServerStreaming,
            (true, true) => MethodType.DuplexStreaming,
        };
        var method = new Method<byte[], byte[]>(type, descriptor.Service.FullName, descriptor.Name, Bytes, Bytes);
        switch (type)
        {
            case MethodType.Unary:
                await invoker.AsyncUnaryCall(method, null, default, []);
                break;
            case MethodType.ClientStreaming:
                using (var call = invoker.AsyncClientStreamingCall(method, null, default))
                {
                    await SendEmptyAsync(call.RequestStream);
                    await call.ResponseAsync;
                }
                break;
            case MethodType.ServerStreaming:
                using (var call = invoker.AsyncServerStreamingCall(method, null, default, []))
                {
                    await ReadAllAsync(call.ResponseHeadersAsync, call.Dispose, call.ResponseStream, leaveStreams);
                }
                break;
            default:
                using (var call = invoker.AsyncDuplexStreamingCall(method, null, default))
                {
                    await SendEmptyAsync(call.RequestStream);
                    await ReadAllAsync(call.ResponseHeadersAsync, call.Dispose, call.ResponseStream, leaveStreams);
                }
                break;
        }
    }

    private static async Task SendEmptyAsync(IClientStreamWriter<byte[]> requests)
    {
        try
        {
            await requests.WriteAsync([]);
            await requests.CompleteAsync();
        }
        catch (RpcException)
        {
            // The server refused the call before reading it: its status, with its details, is in the answer read next.
        }
    }

    private static async Task ReadAllAsync(Task<Metadata> headers, Action dispose, IAsyncStreamReader<byte[]> responses, bool leave)
    {
        await headers;
        var next = responses.MoveNext(CancellationToken.None);
        // A refused stream ended with its headers, so its first read fails at once; one that has not ended by then is
        // running (a read that waits is no refusal).
        if (leave && await Task.WhenAny(next, Task.Delay(TimeSpan.FromSeconds(2))) != next)
        {
            dispose();
            return;
        }
        while (await next)
        {
            next = responses.MoveNext(CancellationToken.None);
        }
    }

    private static async Task<StatusCode> StatusOfAsync(CallInvoker invoker, string rpc)
    {
        try
        {
            await CallAsync(invoker, rpc, leaveStreams: true);
            return StatusCode.OK;
        }
        catch (RpcException error)
        {
            return error.StatusCode;
        }
    }
}
