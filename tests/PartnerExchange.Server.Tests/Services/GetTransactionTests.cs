using Grpc.Core;
using PartnerExchange.Client;
using PartnerExchange.Testing;
using PartnerExchange.V1;

namespace PartnerExchange.Server.Tests.Services;

/// <summary>PointsService.GetTransaction over the real server: one transaction by id, as the caller's program sees it.</summary>
public sealed class GetTransactionTests(RunningExchange exchange) : IntegrationTest(exchange), IClassFixture<RunningExchange>
{
    [Fact]
    public async Task GetTransaction_AnAccrual_ReturnsWhatTheAccrualAnswered()
    {
        var shop = await Exchange.CreatePartnerAsync();
        var member = await shop.EnrollAsync();
        var accrued = await shop.AccrueAsync(member, 250);

        var read = await shop.Points.GetTransactionAsync(new GetTransactionRequest { TransactionId = accrued.Transaction.TransactionId });

        Assert.Equal(accrued.Transaction, read.Transaction);
    }

    [Fact]
    public async Task GetTransaction_AConversion_EachProgramSeesItsOwnMembersLeg()
    {
        var (shop, air) = (await Exchange.CreatePartnerAsync(), await Exchange.CreatePartnerAsync());
        await Exchange.SetRateAsync(shop.ProgramCode, air.ProgramCode, 1, 2);
        var buyer = await shop.EnrollAsync();
        var flyer = await air.EnrollAsync();
        await shop.AccrueAsync(buyer, 100);
        var converted = await shop.Conversions.ConvertAsync(new ConvertRequest
        {
            IdempotencyKey = Guid.NewGuid().ToString("N"), SourceMemberNumber = buyer, DestinationProgramCode = air.ProgramCode,
            DestinationMemberNumber = flyer, SourcePoints = 40,
        });
        var id = converted.Transaction.TransactionId;

        var source = (await shop.Points.GetTransactionAsync(new GetTransactionRequest { TransactionId = id })).Transaction;
        var destination = (await air.Points.GetTransactionAsync(new GetTransactionRequest { TransactionId = id })).Transaction;

        Assert.Equal((buyer, -40L, air.ProgramCode), (source.MemberNumber, source.Points, source.CounterpartyProgramCode));
        Assert.Equal((flyer, 80L, shop.ProgramCode), (destination.MemberNumber, destination.Points, destination.CounterpartyProgramCode));
    }

    [Fact]
    public async Task GetTransaction_AnotherPartnersTransaction_FailsNotFoundLikeAnUnknownId()
    {
        var (shop, other) = (await Exchange.CreatePartnerAsync(), await Exchange.CreatePartnerAsync());
        var accrued = await shop.AccrueAsync(await shop.EnrollAsync(), 10);

        await RpcAssert.FailsAsync(StatusCode.NotFound, "TRANSACTION_NOT_FOUND",
            () => other.Points.GetTransactionAsync(new GetTransactionRequest { TransactionId = accrued.Transaction.TransactionId }));
        await RpcAssert.FailsAsync(StatusCode.NotFound, "TRANSACTION_NOT_FOUND",
            () => other.Points.GetTransactionAsync(new GetTransactionRequest { TransactionId = "tx_nothing" }));
    }

    [Fact]
    public async Task GetTransaction_EmptyId_FailsInvalidArgument()
    {
        var shop = await Exchange.CreatePartnerAsync();

        await RpcAssert.InvalidAsync(() => shop.Points.GetTransactionAsync(new GetTransactionRequest()), "transaction_id");
    }

    [Fact]
    public async Task Client_GetTransaction_ReturnsTheTransaction()
    {
        var shop = await Exchange.CreatePartnerAsync();
        var accrued = await shop.AccrueAsync(await shop.EnrollAsync(), 30);
        using var client = new PartnerExchangeClient(new PartnerExchangeClientOptions { Address = Exchange.Address, ApiKey = shop.Key });

        var read = await client.GetTransactionAsync(accrued.Transaction.TransactionId);

        Assert.Equal(accrued.Transaction, read);
    }
}
