using System.Globalization;
using PartnerExchange.Cli.Tests.Infrastructure;

namespace PartnerExchange.Cli.Tests;

/// <summary>pxctl's expiry policy options and <c>expiry run</c>, against the real exchange.</summary>
public sealed class ExpiryCommandTests(CliExchange exchange) : IClassFixture<CliExchange>
{
    [Fact]
    public async Task PartnersUpdate_ExpiryLifetime_ShownOnThePartner()
    {
        var partner = await exchange.Server.CreatePartnerAsync();

        var run = await exchange.PxctlAsync("partners", "update", partner.ProgramCode, "--expiry", "lifetime:12", "-o", "json");

        Assert.True(run.ExitCode == 0, run.ToString());
        var policy = run.Json().GetProperty("partner").GetProperty("expiryPolicy");
        Assert.Equal("EXPIRY_POLICY_KIND_LOT_LIFETIME", policy.GetProperty("kind").GetString());
        Assert.Equal(12, policy.GetProperty("months").GetInt32());
    }

    [Theory]
    [InlineData("sometimes")]
    [InlineData("lifetime")]
    [InlineData("inactivity:x")]
    public async Task PartnersUpdate_MalformedExpiry_UsageError(string value)
    {
        var partner = await exchange.Server.CreatePartnerAsync();

        var run = await exchange.PxctlAsync("partners", "update", partner.ProgramCode, "--expiry", value);

        Assert.Equal(2, run.ExitCode);
    }

    [Fact]
    public async Task ExpiryRun_DryRunAfterTheLifetime_ReportsThePointsAndChangesNothing()
    {
        var partner = await exchange.Server.CreatePartnerAsync();
        Assert.Equal(0, (await exchange.PxctlAsync("partners", "update", partner.ProgramCode, "--expiry", "lifetime:12")).ExitCode);
        var member = await partner.EnrollAsync();
        await partner.AccrueAsync(member, 250);
        var later = DateTimeOffset.UtcNow.AddMonths(13).ToString("O", CultureInfo.InvariantCulture);

        var run = await exchange.PxctlAsync("expiry", "run", "--partner", partner.ProgramCode, "--as-of", later, "--dry-run");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("nothing was changed", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("250", run.Stdout, StringComparison.Ordinal);
        Assert.Equal(250, await partner.BalanceAsync(member));
    }

    [Fact]
    public async Task ExpiryRun_RealRunInTheFuture_RefusedAsInvalid()
    {
        var later = DateTimeOffset.UtcNow.AddDays(1).ToString("O", CultureInfo.InvariantCulture);

        var run = await exchange.PxctlAsync("expiry", "run", "--as-of", later);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("as_of_time", run.Stderr, StringComparison.Ordinal);
    }
}
