using System.Text.RegularExpressions;
using PartnerExchange.Testing;
using PartnerExchange.V1;

namespace PartnerExchange.Server.Tests.Demo;

/// <summary>
/// The demo network's seeding and banner on a server of its own (its program codes are fixed).
/// </summary>
public sealed partial class DemoNetworkTests(RunningExchange exchange) : IntegrationTest(exchange), IClassFixture<RunningExchange>
{
    [Fact]
    public async Task SeedAndPrint_SecondStartAfterCalls_PrintsCurrentBalances()
    {
        var first = await Exchange.SeedDemoAsync();
        var shopmartKey = ShopMartKey().Match(first).Groups[1].Value;
        await Exchange.Points(shopmartKey).AccrueAsync(new AccrueRequest
        {
            IdempotencyKey = Guid.NewGuid().ToString("N"), MemberNumber = "S300", Points = 1_234, Reason = AccrualReason.Promotion,
        });

        var second = await Exchange.SeedDemoAsync();

        Assert.Contains("SHOPMART S300 (50,000 ShopMart Points)", first, StringComparison.Ordinal);
        Assert.Contains("SHOPMART S300 (51,234 ShopMart Points)", second, StringComparison.Ordinal);
        Assert.Contains("SKYAIR A100 (0 SkyMiles)", second, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"export SHOPMART_KEY=(\S+)")]
    private static partial Regex ShopMartKey();
}
