using Grpc.Core;
using PartnerExchange.Testing;
using PartnerExchange.V1;

namespace PartnerExchange.Server.Tests.Services;

/// <summary>
/// Support reads with an operator key: GetAccount, ListTransactions and GetTransaction name the program and answer
/// exactly what that program's partner sees. Partners still read only their own program.
/// </summary>
public sealed class OperatorReadTests(RunningExchange exchange) : IntegrationTest(exchange), IClassFixture<RunningExchange>
{
    private PointsService.PointsServiceClient Operator => Exchange.Points(Exchange.OperatorKey);

    [Fact]
    public async Task GetAccount_OperatorNamingTheProgram_AnswersWhatThePartnerSees()
    {
        var shop = await Exchange.CreatePartnerAsync();
        var member = await shop.EnrollAsync();
        await shop.AccrueAsync(member, 120);

        var seenByOperator = await Operator.GetAccountAsync(new GetAccountRequest { ProgramCode = shop.ProgramCode, MemberNumber = member });

        Assert.Equal(await shop.Points.GetAccountAsync(new GetAccountRequest { MemberNumber = member }), seenByOperator);
        Assert.Equal(120, seenByOperator.BalancePoints);
    }

    [Fact]
    public async Task ListTransactions_OperatorNamingTheProgram_ListsWhatThePartnerSees()
    {
        var shop = await Exchange.CreatePartnerAsync();
        var member = await shop.EnrollAsync();
        await shop.AccrueAsync(member, 10);
        await shop.AccrueAsync(member, 20);

        var seenByOperator = await Operator.ListTransactionsAsync(new ListTransactionsRequest { ProgramCode = shop.ProgramCode, MemberNumber = member });

        Assert.Equal(await shop.Points.ListTransactionsAsync(new ListTransactionsRequest { MemberNumber = member }), seenByOperator);
        Assert.Equal([20L, 10L], seenByOperator.Transactions.Select(t => t.Points));
    }

    [Fact]
    public async Task ListTransactions_OperatorPagingThroughAProgram_NextPageNeedsTheSameProgram()
    {
        var (shop, other) = (await Exchange.CreatePartnerAsync(), await Exchange.CreatePartnerAsync());
        var member = await shop.EnrollAsync();
        await shop.AccrueAsync(member, 10);
        await shop.AccrueAsync(member, 20);
        var first = await Operator.ListTransactionsAsync(new ListTransactionsRequest { ProgramCode = shop.ProgramCode, PageSize = 1 });

        await RpcAssert.FailsAsync(StatusCode.InvalidArgument, "INVALID_PAGE_TOKEN", () => Operator.ListTransactionsAsync(
            new ListTransactionsRequest { ProgramCode = other.ProgramCode, PageSize = 1, PageToken = first.NextPageToken }));
    }

    [Fact]
    public async Task GetTransaction_OperatorNamingEachSideOfAConversion_SeesEachSidesView()
    {
        var (shop, air) = (await Exchange.CreatePartnerAsync(), await Exchange.CreatePartnerAsync());
        await Exchange.SetRateAsync(shop.ProgramCode, air.ProgramCode, 1, 2);
        var buyer = await shop.EnrollAsync();
        var flyer = await air.EnrollAsync();
        await shop.AccrueAsync(buyer, 100);
        var id = (await shop.Conversions.ConvertAsync(new ConvertRequest
        {
            IdempotencyKey = Guid.NewGuid().ToString("N"), SourceMemberNumber = buyer, DestinationProgramCode = air.ProgramCode,
            DestinationMemberNumber = flyer, SourcePoints = 40,
        })).Transaction.TransactionId;

        foreach (var side in new[] { shop, air })
        {
            var seenByOperator = await Operator.GetTransactionAsync(new GetTransactionRequest { ProgramCode = side.ProgramCode, TransactionId = id });
            Assert.Equal(await side.Points.GetTransactionAsync(new GetTransactionRequest { TransactionId = id }), seenByOperator);
        }
    }

    [Fact]
    public async Task GetTransaction_OperatorNamingAProgramTheTransactionDidNotTouch_FailsNotFound()
    {
        var (shop, other) = (await Exchange.CreatePartnerAsync(), await Exchange.CreatePartnerAsync());
        var accrued = await shop.AccrueAsync(await shop.EnrollAsync(), 10);

        await RpcAssert.FailsAsync(StatusCode.NotFound, "TRANSACTION_NOT_FOUND", () => Operator.GetTransactionAsync(
            new GetTransactionRequest { ProgramCode = other.ProgramCode, TransactionId = accrued.Transaction.TransactionId }));
    }

    [Theory]
    [InlineData("GetAccount")]
    [InlineData("ListTransactions")]
    [InlineData("GetTransaction")]
    public async Task Read_OperatorNamingNoProgram_FailsInvalidArgumentOnProgramCode(string rpc) =>
        await RpcAssert.InvalidAsync(Call(Operator, rpc, programCode: ""), "program_code");

    [Theory]
    [InlineData("GetAccount")]
    [InlineData("ListTransactions")]
    [InlineData("GetTransaction")]
    public async Task Read_OperatorNamingAProgramNoPartnerHas_FailsPartnerNotFound(string rpc) =>
        await RpcAssert.FailsAsync(StatusCode.NotFound, "PARTNER_NOT_FOUND", Call(Operator, rpc, programCode: Exchange.NewProgramCode("NONE")));

    [Theory]
    [InlineData("GetAccount")]
    [InlineData("ListTransactions")]
    [InlineData("GetTransaction")]
    public async Task Read_PartnerNamingAnotherProgram_FailsOperatorKeyRequiredBeforeLookingItUp(string rpc)
    {
        var (shop, other) = (await Exchange.CreatePartnerAsync(), await Exchange.CreatePartnerAsync());

        await RpcAssert.FailsAsync(StatusCode.PermissionDenied, "OPERATOR_KEY_REQUIRED", Call(shop.Points, rpc, other.ProgramCode));
        // A program that does not exist answers the same: nothing about it is looked at.
        await RpcAssert.FailsAsync(StatusCode.PermissionDenied, "OPERATOR_KEY_REQUIRED", Call(shop.Points, rpc, Exchange.NewProgramCode("NONE")));
    }

    [Fact]
    public async Task GetAccount_PartnerNamingItsOwnProgram_Reads()
    {
        var shop = await Exchange.CreatePartnerAsync();
        var member = await shop.EnrollAsync();
        await shop.AccrueAsync(member, 7);

        var account = await shop.Points.GetAccountAsync(new GetAccountRequest { ProgramCode = shop.ProgramCode, MemberNumber = member });

        Assert.Equal(7, account.BalancePoints);
    }

    /// <summary>One of the three reads, of member M1 or transaction tx_1, naming <paramref name="programCode"/>.</summary>
    private static Func<Task> Call(PointsService.PointsServiceClient points, string rpc, string programCode) => rpc switch
    {
        "GetAccount" => () => points.GetAccountAsync(new GetAccountRequest { ProgramCode = programCode, MemberNumber = "M1" }).ResponseAsync,
        "ListTransactions" => () => points.ListTransactionsAsync(new ListTransactionsRequest { ProgramCode = programCode }).ResponseAsync,
        "GetTransaction" => () => points.GetTransactionAsync(new GetTransactionRequest { ProgramCode = programCode, TransactionId = "tx_1" }).ResponseAsync,
        _ => throw new ArgumentOutOfRangeException(nameof(rpc), rpc, "Not a read of members or transactions."),
    };
}
