using System.Reflection;
using System.Text.RegularExpressions;
using PartnerExchange.Server.Hosting;
using PartnerExchange.Testing;
using PartnerExchange.V1;

namespace PartnerExchange.Server.Tests;

/// <summary>
/// The demo network's seeding and banner on a server of its own (its program codes are fixed), reached by
/// reflection: the demo is internal to the server, which runs it at start with --demo.
/// </summary>
public sealed partial class DemoNetworkTests(RunningExchange exchange) : IntegrationTest(exchange), IClassFixture<RunningExchange>
{
    [Fact]
    public async Task SeedAndPrint_SecondStartAfterCalls_PrintsCurrentBalances()
    {
        var first = await SeedAndPrintAsync();
        var shopmartKey = ShopMartKey().Match(first).Groups[1].Value;
        await Exchange.Points(shopmartKey).AccrueAsync(new AccrueRequest
        {
            IdempotencyKey = Guid.NewGuid().ToString("N"), MemberNumber = "S300", Points = 1_234, Reason = AccrualReason.Promotion,
        });

        var second = await SeedAndPrintAsync();

        Assert.Contains("SHOPMART S300 (50,000 ShopMart Points)", first, StringComparison.Ordinal);
        Assert.Contains("SHOPMART S300 (51,234 ShopMart Points)", second, StringComparison.Ordinal);
        Assert.Contains("SKYAIR A100 (0 SkyMiles)", second, StringComparison.Ordinal);
    }

    private async Task<string> SeedAndPrintAsync()
    {
        var demo = typeof(ExchangeHost).Assembly.GetType("PartnerExchange.Server.Demo.DemoNetwork", throwOnError: true)!;
        var seed = demo.GetMethods(BindingFlags.Public | BindingFlags.Static)
            .Single(m => m.Name == "SeedAndPrintAsync" && m.GetParameters().Length == 4);
        using var output = new StringWriter();
        await (Task)seed.Invoke(null, [Exchange.Services, Exchange.Address.ToString(), output, CancellationToken.None])!;
        return output.ToString();
    }

    [GeneratedRegex(@"export SHOPMART_KEY=(\S+)")]
    private static partial Regex ShopMartKey();
}
