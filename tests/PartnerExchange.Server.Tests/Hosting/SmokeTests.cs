using PartnerExchange.Testing;
using PartnerExchange.V1;

namespace PartnerExchange.Server.Tests.Hosting;

public sealed class SmokeTests(RunningExchange exchange) : IntegrationTest(exchange), IClassFixture<RunningExchange>
{
    [Fact]
    public async Task Convert_BetweenTwoPartners_MovesPointsAndRecordsSettlement()
    {
        var shop = await Exchange.CreatePartnerAsync();
        var air = await Exchange.CreatePartnerAsync(pointPriceMicros: 12_500);
        await Exchange.SetRateAsync(shop.ProgramCode, air.ProgramCode, 1000, 800);
        var buyer = await shop.EnrollAsync();
        var flyer = await air.EnrollAsync();
        await shop.AccrueAsync(buyer, 5_000);

        var converted = await shop.Conversions.ConvertAsync(new ConvertRequest
        {
            IdempotencyKey = "k1",
            SourceMemberNumber = buyer,
            DestinationProgramCode = air.ProgramCode,
            DestinationMemberNumber = flyer,
            SourcePoints = 2_500,
        });

        Assert.Equal(2_000, converted.DestinationPoints);
        Assert.Equal(2_500, await shop.BalanceAsync(buyer));
        Assert.Equal(2_000, await air.BalanceAsync(flyer));
        Assert.Equal(25_000_000, converted.SettlementAmountMicros);
        Assert.Equal(2_500, converted.SettlementAmount.AmountMinor);
    }
}
