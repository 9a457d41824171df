using Grpc.Core;
using PartnerExchange.Client;
using PartnerExchange.Testing;
using PartnerExchange.V1;

namespace PartnerExchange.Server.Tests.Client;

/// <summary>The typed client integrators use, against the real server.</summary>
public sealed class ClientLibraryTests(RunningExchange exchange) : IntegrationTest(exchange), IClassFixture<RunningExchange>
{
    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        LedgerInvariants.AssertHold(Exchange.DatabasePath);
    }

    [Fact]
    public async Task Client_AccrueConvertAndGetAccount_WorkWithTheApiKey()
    {
        var (shop, air) = await PartnersAsync();
        var flyer = await air.EnrollAsync();
        using var client = ClientFor(shop);

        var member = await client.EnrollMemberAsync("client-member-1");
        var accrued = await client.AccrueAsync("client-member-1", 5_000, AccrualReason.Purchase, reference: "order-17");
        var converted = await client.ConvertAsync("client-member-1", air.ProgramCode, flyer, 1_003);
        var account = await client.GetAccountAsync("client-member-1");

        Assert.Equal(shop.ProgramCode, member.Member.ProgramCode);
        Assert.Equal(5_000, accrued.BalancePoints);
        Assert.Equal("order-17", accrued.Transaction.Reference);
        Assert.Equal(802, converted.DestinationPoints);
        Assert.Equal(5_000 - 1_003, account.BalancePoints);
        Assert.Equal(1_003, account.Totals.ConvertedOutPoints);
        Assert.Equal(converted.Transaction.Sequence, account.LastSequence);
        Assert.Equal(802, await air.BalanceAsync(flyer));
    }

    [Fact]
    public async Task Client_Refusal_SurfacesReasonAndMetadata()
    {
        var (shop, air) = await PartnersAsync();
        var flyer = await air.EnrollAsync();
        var buyer = await shop.EnrollAsync();
        await shop.AccrueAsync(buyer, 1_500);
        using var client = ClientFor(shop);

        var error = await Assert.ThrowsAsync<PartnerExchangeException>(() => client.ConvertAsync(buyer, air.ProgramCode, flyer, 2_000));

        Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
        Assert.Equal("INSUFFICIENT_POINTS", error.Reason);
        Assert.Equal("1500", error.Metadata["balance_points"]);
        Assert.Equal("2000", error.Metadata["required_points"]);
        Assert.NotEmpty(error.IdempotencyKey);
        Assert.IsType<RpcException>(error.InnerException);
        Assert.Equal(1_500, await shop.BalanceAsync(buyer));
    }

    [Fact]
    public async Task Client_MutationWithoutAKey_SendsATimeOrderedKey()
    {
        var (shop, air) = await PartnersAsync();
        var flyer = await air.EnrollAsync();
        var buyer = await shop.EnrollAsync();
        using var client = ClientFor(shop);

        var error = await Assert.ThrowsAsync<PartnerExchangeException>(() => client.ConvertAsync(buyer, air.ProgramCode, flyer, 2_000));

        // A UUIDv7 grows with time, so the ledger appends its idempotency record instead of inserting it at random.
        Assert.True(Guid.TryParseExact(error.IdempotencyKey, "N", out var key), error.IdempotencyKey);
        Assert.Equal(7, key.Version);
    }

    [Fact]
    public async Task Client_InvalidRequest_ExposesFieldViolations()
    {
        var (shop, air) = await PartnersAsync();
        using var client = ClientFor(shop);

        var error = await Assert.ThrowsAsync<PartnerExchangeException>(
            () => client.ConvertAsync("not a member number", air.ProgramCode, "fine-member", 0));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal("VALIDATION_FAILED", error.Reason);
        var fields = error.FieldViolations.Select(v => v.Field).ToHashSet();
        Assert.Contains("source_member_number", fields);
        Assert.Contains("source_points", fields);
        Assert.DoesNotContain("destination_member_number", fields);
    }

    [Fact]
    public async Task Client_ConvertTwiceWithTheSameIdempotencyKey_ConvertsOnce()
    {
        var (shop, air) = await PartnersAsync();
        var flyer = await air.EnrollAsync();
        var buyer = await shop.EnrollAsync();
        await shop.AccrueAsync(buyer, 5_000);
        using var client = ClientFor(shop);
        var key = "convert-" + Guid.NewGuid().ToString("N");

        var first = await client.ConvertAsync(buyer, air.ProgramCode, flyer, 1_000, idempotencyKey: key);
        var second = await client.ConvertAsync(buyer, air.ProgramCode, flyer, 1_000, idempotencyKey: key);

        Assert.Equal(first.Transaction.TransactionId, second.Transaction.TransactionId);
        Assert.Equal(first, second);
        Assert.Equal(4_000, await shop.BalanceAsync(buyer));
        Assert.Equal(800, await air.BalanceAsync(flyer));
    }

    [Fact]
    public async Task Client_ListAllTransactions_FollowsEveryPage()
    {
        var shop = await Exchange.CreatePartnerAsync();
        var buyer = await shop.EnrollAsync();
        var accrued = new List<string>();
        for (var i = 1; i <= 5; i++)
        {
            accrued.Add((await shop.AccrueAsync(buyer, i * 10)).Transaction.TransactionId);
        }
        using var client = ClientFor(shop);
        var request = new ListTransactionsRequest { MemberNumber = buyer, PageSize = 2 };

        var firstPage = await client.ListTransactionsAsync(request);
        var listed = new List<Transaction>();
        await foreach (var transaction in client.ListAllTransactionsAsync(request))
        {
            listed.Add(transaction);
        }

        Assert.Equal(2, firstPage.Transactions.Count);
        Assert.NotEmpty(firstPage.NextPageToken);
        Assert.Equal(Enumerable.Reverse(accrued), listed.Select(t => t.TransactionId));
        Assert.Equal(new long[] { 50, 40, 30, 20, 10 }, listed.Select(t => t.Points));
        Assert.Empty(request.PageToken);
    }

    private async Task<(TestPartner Shop, TestPartner Air)> PartnersAsync()
    {
        var shop = await Exchange.CreatePartnerAsync();
        var air = await Exchange.CreatePartnerAsync(pointPriceMicros: 12_500);
        await Exchange.SetExchangeRateAsync(ConversionRequests.Rate(shop, air, 1000, 800));
        return (shop, air);
    }

    private PartnerExchangeClient ClientFor(TestPartner partner) =>
        new(new PartnerExchangeClientOptions { Address = Exchange.Address, ApiKey = partner.Key });
}
