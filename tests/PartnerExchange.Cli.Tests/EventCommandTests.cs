using System.Text.Json;
using PartnerExchange.Cli.Tests.Infrastructure;
using PartnerExchange.V1;

namespace PartnerExchange.Cli.Tests;

/// <summary>pxctl events tail against the real exchange.</summary>
public sealed class EventCommandTests(CliExchange exchange) : IClassFixture<CliExchange>
{
    [Fact]
    public async Task EventsTail_Limit_PrintsThePartnersEventsAndStops()
    {
        var (code, key) = await exchange.CreatePartnerAsync();
        var (_, otherKey) = await exchange.CreatePartnerAsync();
        var ids = await AccrueAsync(key, 3);
        var otherIds = await AccrueAsync(otherKey, 1);

        var run = await exchange.PxctlAsync("events", "tail", "--partner", code, "--limit", "3");

        Assert.True(run.ExitCode == 0, run.ToString());
        var lines = run.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("CURSOR", lines[0].Trim(), StringComparison.Ordinal);
        Assert.Equal(4, lines.Length);
        for (var i = 0; i < ids.Count; i++)
        {
            Assert.Contains(ids[i], lines[i + 1], StringComparison.Ordinal);
            Assert.Contains("POINTS_ACCRUED", lines[i + 1], StringComparison.Ordinal);
        }
        Assert.DoesNotContain(otherIds[0], run.Stdout, StringComparison.Ordinal);
        Assert.Equal("", run.Stderr);
    }

    [Fact]
    public async Task EventsTail_JsonAfterCursor_PrintsOneEventPerLineAfterIt()
    {
        var (code, key) = await exchange.CreatePartnerAsync();
        var ids = await AccrueAsync(key, 3);
        var first = await exchange.PxctlAsync("events", "tail", "--partner", code, "--limit", "1", "-o", "json");
        var firstCursor = JsonDocument.Parse(first.Stdout).RootElement.GetProperty("cursor").GetString();

        var run = await exchange.PxctlAsync("events", "tail", "--partner", code, "--after", firstCursor!, "--limit", "2", "-o", "json");

        Assert.True(run.ExitCode == 0, run.ToString());
        var events = run.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonDocument.Parse(line).RootElement).ToList();
        Assert.Equal(ids.Skip(1), events.Select(e => e.GetProperty("transactionId").GetString()));
        Assert.All(events, e => Assert.Equal(code, e.GetProperty("programCode").GetString()));
        Assert.All(events, e => Assert.Equal("EVENT_KIND_POINTS_ACCRUED", e.GetProperty("kind").GetString()));
    }

    [Fact]
    public async Task EventsTail_UnknownPartner_ReportsPartnerNotFound()
    {
        var run = await exchange.PxctlAsync("events", "tail", "--partner", exchange.NewProgramCode("NONE"), "--limit", "1");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("PARTNER_NOT_FOUND", run.Stderr, StringComparison.Ordinal);
        Assert.Equal("", run.Stdout);
    }

    [Fact]
    public async Task EventsTail_ZeroLimit_IsAUsageErrorAndSendsNothing()
    {
        var run = await CliExchange.PxctlWithEnvironmentAsync(
            new Dictionary<string, string> { ["PX_ADDRESS"] = "http://127.0.0.1:9", ["PX_OPERATOR_KEY"] = "k" },
            "events", "tail", "--partner", "SHOP", "--limit", "0");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--limit", run.Stderr, StringComparison.Ordinal);
    }

    private async Task<List<string>> AccrueAsync(string key, int count)
    {
        var points = exchange.Points(key);
        var member = "M" + Guid.NewGuid().ToString("N")[..10];
        await points.EnrollMemberAsync(new EnrollMemberRequest { IdempotencyKey = Guid.NewGuid().ToString("N"), MemberNumber = member });
        var ids = new List<string>();
        for (var i = 1; i <= count; i++)
        {
            var accrued = await points.AccrueAsync(new AccrueRequest
            {
                IdempotencyKey = Guid.NewGuid().ToString("N"),
                MemberNumber = member,
                Points = i * 100,
                Reason = AccrualReason.Promotion,
            });
            ids.Add(accrued.Transaction.TransactionId);
        }
        return ids;
    }
}
