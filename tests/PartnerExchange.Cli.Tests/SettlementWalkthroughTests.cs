using System.Text.RegularExpressions;
using PartnerExchange.Cli.Tests.Infrastructure;
using PartnerExchange.Testing;
using PartnerExchange.V1;

namespace PartnerExchange.Cli.Tests;

/// <summary>
/// docs/settlement.md's walkthrough as printed, on the demo network: README's first call and two more conversions,
/// then the period closed from today to now, paid in two parts with an overpayment refused between, and the books
/// checked. The figures it prints are the ones the guide promises.
/// </summary>
public sealed partial class SettlementWalkthroughTests(CliExchange exchange) : IClassFixture<CliExchange>
{
    [Fact]
    public async Task Walkthrough_OnTheDemoNetwork_PrintsTheGuidesFigures()
    {
        var guide = await File.ReadAllTextAsync(Path.Combine(Repository.Root, "docs", "settlement.md"));
        Assert.Contains("pxctl settlement close --from today --to now", guide, StringComparison.Ordinal);
        Assert.Contains("ShopMart −96.00 USD, Sky Air +96.00 USD", guide, StringComparison.Ordinal);
        Assert.Contains("paying the rest (46.00) marks it SETTLED", guide, StringComparison.Ordinal);
        var shopmart = ShopMartKey().Match(await exchange.Server.SeedDemoAsync()).Groups[1].Value;
        var convertedOn = DateTime.UtcNow.Date;
        foreach (var (key, points) in new[] { ("first-convert", 5_000L), ("second-convert", 2_000L), ("third-convert", 3_000L) })
        {
            await exchange.Conversions(shopmart).ConvertAsync(new ConvertRequest
            {
                IdempotencyKey = key, SourceMemberNumber = "S300", DestinationProgramCode = "SKYAIR", DestinationMemberNumber = "A100",
                SourcePoints = points,
            });
        }

        // As the guide says: `--from yesterday` when the conversions were made before midnight UTC.
        var from = DateTime.UtcNow.Date == convertedOn ? "today" : "yesterday";
        var close = await exchange.PxctlAsync("settlement", "close", "--from", from, "--to", "now");
        var statementId = StatementId().Match(close.Stdout).Value;
        var partial = await exchange.PxctlAsync("settlement", "pay", statementId, "--amount", "50.00", "--currency", "USD", "--reference", "wire-1");
        var overpay = await exchange.PxctlAsync("settlement", "pay", statementId, "--amount", "46.01", "--currency", "USD", "--reference", "wire-2");
        var rest = await exchange.PxctlAsync("settlement", "pay", statementId, "--amount", "46.00", "--currency", "USD", "--reference", "wire-3");
        var verify = await exchange.PxctlAsync("ledger", "verify");

        Assert.True(close.ExitCode == 0, close.ToString());
        Assert.Matches(@"SHOPMART.*-96\.00 USD", close.Stdout);
        Assert.Matches(@"SKYAIR.*96\.00 USD", close.Stdout);
        Assert.Contains("PARTIALLY_PAID", partial.Stdout.ToUpperInvariant().Replace(' ', '_'), StringComparison.Ordinal);
        Assert.Equal(2, overpay.ExitCode);
        Assert.Contains("OVERPAYMENT", overpay.Stderr, StringComparison.Ordinal);
        Assert.Contains("outstanding = 46.00 USD", overpay.Stderr, StringComparison.Ordinal);
        Assert.True(rest.ExitCode == 0, rest.ToString());
        Assert.Contains("SETTLED", rest.Stdout.ToUpperInvariant(), StringComparison.Ordinal);
        Assert.True(verify.ExitCode == 0, verify.ToString());
    }

    [GeneratedRegex(@"export SHOPMART_KEY=(\S+)")]
    private static partial Regex ShopMartKey();

    [GeneratedRegex(@"\bst_\w+")]
    private static partial Regex StatementId();
}
