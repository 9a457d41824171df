using Grpc.Core;
using Grpc.Core.Interceptors;
using PartnerExchange.Testing;
using PartnerExchange.V1;

namespace PartnerExchange.Server.Tests;

/// <summary>
/// Who may call what: authentication, the operator/partner split (checked before anything is looked up),
/// and the wall between partners — another program's members and transactions answer exactly like ones
/// that do not exist.
/// </summary>
public sealed class AuthorizationTests(RunningExchange exchange) : IntegrationTest(exchange), IClassFixture<RunningExchange>
{
    private const string WellFormedUnknownKey = "pxk_0123456789abcdef_0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    // ---- Authentication ----

    [Theory]
    [InlineData("points")]
    [InlineData("conversion")]
    [InlineData("admin")]
    public async Task Call_WithoutAuthorizationHeader_FailsWithApiKeyMissing(string service)
    {
        await RpcAssert.FailsAsync(StatusCode.Unauthenticated, "API_KEY_MISSING", ReadCall(Exchange.Channel.CreateCallInvoker(), service));
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

        await RpcAssert.FailsAsync(StatusCode.Unauthenticated, "API_KEY_INVALID", ReadCall(invoker, "points"));
    }

    [Fact]
    public async Task Call_WithKnownKeyIdButWrongSecret_FailsWithApiKeyInvalid()
    {
        var shop = await Exchange.CreatePartnerAsync();
        var last = shop.Key[^1] == '0' ? '1' : '0';
        var forged = shop.Key[..^1] + last;

        await RpcAssert.FailsAsync(StatusCode.Unauthenticated, "API_KEY_INVALID", ReadCall(Exchange.Channel.Intercept(m => WithKey(m, forged)), "points"));
    }

    // ---- Operator and partner keys ----

    [Theory]
    [InlineData("CreatePartner")]
    [InlineData("GetPartner")]
    [InlineData("ListPartners")]
    [InlineData("UpdatePartner")]
    [InlineData("SuspendPartner")]
    [InlineData("ResumePartner")]
    [InlineData("SetExchangeRate")]
    [InlineData("ListExchangeRates")]
    [InlineData("CreateApiKey")]
    [InlineData("ListApiKeys")]
    [InlineData("RevokeApiKey")]
    public async Task AdminRpc_WithPartnerKey_FailsWithOperatorKeyRequiredBeforeLookingAnythingUp(string rpc)
    {
        var shop = await Exchange.CreatePartnerAsync();
        var admin = new AdminService.AdminServiceClient(Exchange.Channel.Intercept(m => WithKey(m, shop.Key)));
        // A program code that does not exist: a NOT_FOUND here would leak what exists to a partner.
        var missing = Exchange.NewProgramCode("NONE");

        await RpcAssert.FailsAsync(StatusCode.PermissionDenied, "OPERATOR_KEY_REQUIRED", AdminCall(admin, rpc, missing, shop.ProgramCode));
    }

    [Fact]
    public async Task CreatePartner_WithPartnerKey_CreatesNothing()
    {
        var shop = await Exchange.CreatePartnerAsync();
        var admin = new AdminService.AdminServiceClient(Exchange.Channel.Intercept(m => WithKey(m, shop.Key)));
        var code = Exchange.NewProgramCode("NEW");

        await Assert.ThrowsAsync<RpcException>(AdminCall(admin, "CreatePartner", code, shop.ProgramCode));

        await RpcAssert.FailsAsync(StatusCode.NotFound, "PARTNER_NOT_FOUND",
            () => Exchange.Admin().GetPartnerAsync(new GetPartnerRequest { ProgramCode = code }));
    }

    [Theory]
    [InlineData("EnrollMember")]
    [InlineData("Accrue")]
    [InlineData("Redeem")]
    [InlineData("Reverse")]
    [InlineData("ListRates")]
    [InlineData("Quote")]
    [InlineData("Convert")]
    public async Task PartnerRpc_WithOperatorKey_FailsWithPartnerKeyRequired(string rpc)
    {
        var invoker = Exchange.Channel.Intercept(m => WithKey(m, Exchange.OperatorKey));

        await RpcAssert.FailsAsync(StatusCode.PermissionDenied, "PARTNER_KEY_REQUIRED", PartnerCall(invoker, rpc));
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

        await RpcAssert.FailsAsync(StatusCode.PermissionDenied, "PARTNER_KEY_REQUIRED", PartnerCall(invoker, "Accrue"));
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

    /// <summary>A harmless read on the named service.</summary>
    private static Func<Task> ReadCall(CallInvoker invoker, string service) => service switch
    {
        "points" => async () => await new PointsService.PointsServiceClient(invoker).GetAccountAsync(new GetAccountRequest { MemberNumber = "m1" }),
        "conversion" => async () => await new ConversionService.ConversionServiceClient(invoker).ListRatesAsync(new ListRatesRequest()),
        "admin" => async () => await new AdminService.AdminServiceClient(invoker).ListPartnersAsync(new ListPartnersRequest()),
        _ => throw new ArgumentOutOfRangeException(nameof(service)),
    };

    /// <summary>A well-formed call of every Admin RPC, about a program that does not exist.</summary>
    private static Func<Task> AdminCall(AdminService.AdminServiceClient admin, string rpc, string missing, string existing) => rpc switch
    {
        "CreatePartner" => async () => await admin.CreatePartnerAsync(new CreatePartnerRequest
        {
            IdempotencyKey = NewKey(),
            ProgramCode = missing,
            DisplayName = "Sneaky",
            ProgramName = "Sneaky Points",
            Kind = PartnerKind.Other,
            SettlementCurrencyCode = "USD",
            PointPriceMicros = 1,
        }),
        "GetPartner" => async () => await admin.GetPartnerAsync(new GetPartnerRequest { ProgramCode = missing }),
        "ListPartners" => async () => await admin.ListPartnersAsync(new ListPartnersRequest()),
        "UpdatePartner" => async () => await admin.UpdatePartnerAsync(new UpdatePartnerRequest
        {
            IdempotencyKey = NewKey(),
            ProgramCode = missing,
            DisplayName = "x",
        }),
        "SuspendPartner" => async () => await admin.SuspendPartnerAsync(new SuspendPartnerRequest { IdempotencyKey = NewKey(), ProgramCode = missing }),
        "ResumePartner" => async () => await admin.ResumePartnerAsync(new ResumePartnerRequest { IdempotencyKey = NewKey(), ProgramCode = missing }),
        "SetExchangeRate" => async () => await admin.SetExchangeRateAsync(new SetExchangeRateRequest
        {
            IdempotencyKey = NewKey(),
            FromProgramCode = existing,
            ToProgramCode = missing,
            FromPoints = 1,
            ToPoints = 1,
            MinSourcePoints = 1,
            MaxSourcePoints = 10,
            IncrementPoints = 1,
            Enabled = true,
        }),
        "ListExchangeRates" => async () => await admin.ListExchangeRatesAsync(new ListExchangeRatesRequest { FromProgramCode = missing }),
        "CreateApiKey" => async () => await admin.CreateApiKeyAsync(new CreateApiKeyRequest
        {
            IdempotencyKey = NewKey(),
            Role = ApiKeyRole.Operator,
            Label = "escalation",
        }),
        "ListApiKeys" => async () => await admin.ListApiKeysAsync(new ListApiKeysRequest { ProgramCode = missing }),
        "RevokeApiKey" => async () => await admin.RevokeApiKeyAsync(new RevokeApiKeyRequest { IdempotencyKey = NewKey(), KeyId = "0123456789abcdef" }),
        _ => throw new ArgumentOutOfRangeException(nameof(rpc)),
    };

    /// <summary>A well-formed call of every Points and Conversion RPC.</summary>
    private static Func<Task> PartnerCall(CallInvoker invoker, string rpc)
    {
        var points = new PointsService.PointsServiceClient(invoker);
        var conversions = new ConversionService.ConversionServiceClient(invoker);
        return rpc switch
        {
            "EnrollMember" => async () => await points.EnrollMemberAsync(new EnrollMemberRequest { IdempotencyKey = NewKey(), MemberNumber = "m1" }),
            "Accrue" => async () => await points.AccrueAsync(new AccrueRequest
            {
                IdempotencyKey = NewKey(),
                MemberNumber = "m1",
                Points = 10,
                Reason = AccrualReason.Promotion,
            }),
            "Redeem" => async () => await points.RedeemAsync(new RedeemRequest { IdempotencyKey = NewKey(), MemberNumber = "m1", Points = 10 }),
            "Reverse" => async () => await points.ReverseAsync(new ReverseRequest { IdempotencyKey = NewKey(), TransactionId = "tx_1" }),
            "GetAccount" => async () => await points.GetAccountAsync(new GetAccountRequest { MemberNumber = "m1" }),
            "ListTransactions" => async () => await points.ListTransactionsAsync(new ListTransactionsRequest()),
            "ListRates" => async () => await conversions.ListRatesAsync(new ListRatesRequest()),
            "Quote" => async () => await conversions.QuoteAsync(new QuoteRequest { DestinationProgramCode = "NONE1", SourcePoints = 10 }),
            "Convert" => async () => await conversions.ConvertAsync(new ConvertRequest
            {
                IdempotencyKey = NewKey(),
                SourceMemberNumber = "m1",
                DestinationProgramCode = "NONE1",
                DestinationMemberNumber = "m2",
                SourcePoints = 10,
            }),
            _ => throw new ArgumentOutOfRangeException(nameof(rpc)),
        };
    }
}
