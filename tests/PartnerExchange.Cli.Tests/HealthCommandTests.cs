using PartnerExchange.Cli.Tests.Infrastructure;
using PartnerExchange.Testing;

namespace PartnerExchange.Cli.Tests;

/// <summary><c>pxctl health</c> against the real exchange, with Redis serving and with a Redis of the test's own stopped.</summary>
public sealed class HealthCommandTests(CliExchange exchange) : IClassFixture<CliExchange>
{
    private static readonly TimeSpan ChangeTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Health_ExchangeAndRedisServing_ExitsZeroNamingTheOperatorKey()
    {
        var run = await exchange.PxctlAsync("health");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("The exchange is serving, with Redis.", run.Stdout, StringComparison.Ordinal);
        var lines = run.Stdout.Split('\n').Select(line => line.Trim()).ToList();
        Assert.Contains(lines, line => line.StartsWith("Redis", StringComparison.Ordinal) && line.EndsWith("SERVING", StringComparison.Ordinal));
        Assert.Contains(lines, line => line.StartsWith("Key", StringComparison.Ordinal) && line.Contains("operator", StringComparison.Ordinal));
        Assert.Equal("", run.Stderr);
    }

    [Fact]
    public async Task Health_OperatorKey_NamesTheLedgerEngine()
    {
        var run = await exchange.PxctlAsync("health");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains(run.Stdout.Split('\n').Select(line => line.Trim()),
            line => line.StartsWith("Ledger", StringComparison.Ordinal) && line.EndsWith("SQLite", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Health_Json_GivesEachStatusAndWhoTheKeyIs()
    {
        var run = await exchange.PxctlAsync("health", "-o", "json");

        Assert.True(run.ExitCode == 0, run.ToString());
        var json = run.Json();
        Assert.Equal("SERVING", json.GetProperty("exchange").GetString());
        Assert.Equal("SERVING", json.GetProperty("redis").GetString());
        Assert.Equal("", json.GetProperty("ping").GetProperty("programCode").GetString());
    }

    [Fact]
    public async Task Health_RedisStopped_ExitsOneSayingTheExchangeRunsDegraded()
    {
        using var redis = new RedisServer();
        await using var server = new RunningExchange();
        server.Settings["Redis:Configuration"] = redis.Configuration;
        await server.InitializeAsync();
        var environment = new Dictionary<string, string>
        {
            ["PX_ADDRESS"] = server.Address.GetLeftPart(UriPartial.Authority),
            ["PX_OPERATOR_KEY"] = server.OperatorKey,
        };
        redis.Stop();

        // The exchange notices a moment later: ask until it says so.
        var giveUp = DateTime.UtcNow + ChangeTimeout;
        CliRun run;
        do
        {
            run = await CliExchange.PxctlWithEnvironmentAsync(environment, "health");
        }
        while (run.ExitCode == 0 && DateTime.UtcNow < giveUp);

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Contains("serving degraded: Redis is not serving", run.Stdout, StringComparison.Ordinal);
        Assert.Contains(run.Stdout.Split('\n').Select(line => line.Trim()),
            line => line.StartsWith("Redis", StringComparison.Ordinal) && line.EndsWith("NOT_SERVING", StringComparison.Ordinal));
    }
}
