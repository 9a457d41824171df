using Npgsql;
using PartnerExchange.Cli.Tests.Infrastructure;
using PartnerExchange.Testing;
using PartnerExchange.V1;

namespace PartnerExchange.Cli.Tests;

/// <summary>
/// <c>pxctl ledger backup</c> and <c>pxctl ledger copy</c>: a backup of the running exchange's ledger, copied into a
/// fresh PostgreSQL database of the test run's own cluster, and the command lines and targets they refuse. Neither
/// command needs the exchange's address or key, and no output ever holds the database password.
/// </summary>
public sealed class LedgerFileCommandTests(CliExchange exchange) : IClassFixture<CliExchange>
{
    private static readonly Dictionary<string, string> NoEnvironment = [];

    private string NewFile(string name) => Path.Combine(exchange.Folder, $"{Guid.NewGuid():N}-{name}");

    [Fact]
    public async Task BackupThenCopy_RunningExchangesLedger_CopiesItVerifiedWithoutPrintingThePassword()
    {
        var partner = await exchange.CreatePartnerAsync();
        var points = exchange.Points(partner.Key);
        await points.EnrollMemberAsync(new EnrollMemberRequest { IdempotencyKey = Guid.NewGuid().ToString("N"), MemberNumber = "m1" });
        await points.AccrueAsync(new AccrueRequest { IdempotencyKey = Guid.NewGuid().ToString("N"), MemberNumber = "m1", Points = 250, Reason = AccrualReason.Promotion });
        var backup = NewFile("backup.db");
        var target = await PostgresServer.Shared.CreateDatabaseAsync();
        try
        {
            var backedUp = await CliExchange.PxctlWithEnvironmentAsync(NoEnvironment, "ledger", "backup", "--from", exchange.Server.DatabasePath, "--to", backup);
            Assert.True(backedUp.ExitCode == 0, backedUp.ToString());

            var copied = await CliExchange.PxctlWithEnvironmentAsync(
                new Dictionary<string, string> { ["PX_POSTGRES"] = target }, "ledger", "copy", "--from", backup);

            Assert.True(copied.ExitCode == 0, copied.ToString());
            Assert.Contains("verified the copy", copied.Stdout, StringComparison.Ordinal);
            Assert.Contains(copied.Stdout.Split('\n'), line => line.TrimStart().StartsWith("transactions ", StringComparison.Ordinal));
            Assert.DoesNotContain(new NpgsqlConnectionStringBuilder(target).Password!, copied.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            await PostgresServer.Shared.DropDatabaseAsync(target);
        }
    }

    [Fact]
    public async Task Copy_Json_GivesEveryTableAndBothVerifications()
    {
        var backup = NewFile("backup.db");
        var target = await PostgresServer.Shared.CreateDatabaseAsync();
        try
        {
            Assert.Equal(0, (await CliExchange.PxctlWithEnvironmentAsync(NoEnvironment, "ledger", "backup", "--from", exchange.Server.DatabasePath, "--to", backup)).ExitCode);

            var run = await CliExchange.PxctlWithEnvironmentAsync(NoEnvironment, "ledger", "copy", "--from", backup, "--to", target, "-o", "json");

            Assert.True(run.ExitCode == 0, run.ToString());
            var json = run.Json();
            Assert.True(json.GetProperty("committed").GetBoolean());
            Assert.True(json.GetProperty("sourceVerification").GetProperty("ok").GetBoolean());
            Assert.True(json.GetProperty("targetVerification").GetProperty("ok").GetBoolean());
            Assert.All(json.GetProperty("tables").EnumerateArray(), t => Assert.True(t.GetProperty("matches").GetBoolean()));
        }
        finally
        {
            await PostgresServer.Shared.DropDatabaseAsync(target);
        }
    }

    [Fact]
    public async Task Rejects_CopyWithoutATarget()
    {
        var run = await CliExchange.PxctlWithEnvironmentAsync(NoEnvironment, "ledger", "copy", "--from", exchange.Server.DatabasePath);

        Assert.Equal(Cli.ExitError, run.ExitCode);
        Assert.Contains("--to", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("PX_POSTGRES", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rejects_CopyWithoutASource()
    {
        var run = await CliExchange.PxctlWithEnvironmentAsync(NoEnvironment, "ledger", "copy", "--to", "Host=127.0.0.1");

        Assert.Equal(Cli.ExitError, run.ExitCode);
        Assert.Contains("--from", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rejects_CopyWithAWrongPassword_WithoutPrintingIt()
    {
        const string Password = "not-the-password-4711";
        var target = new NpgsqlConnectionStringBuilder(PostgresServer.Shared.ConnectionString("postgres")) { Password = Password }.ToString();
        var backup = NewFile("backup.db");
        Assert.Equal(0, (await CliExchange.PxctlWithEnvironmentAsync(NoEnvironment, "ledger", "backup", "--from", exchange.Server.DatabasePath, "--to", backup)).ExitCode);

        var run = await CliExchange.PxctlWithEnvironmentAsync(NoEnvironment, "ledger", "copy", "--from", backup, "--to", target);

        Assert.Equal(Cli.ExitError, run.ExitCode);
        Assert.StartsWith("error: ", run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, run.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rejects_CopyToAnUnreadableConnectionString_WithoutRepeatingIt()
    {
        var run = await CliExchange.PxctlWithEnvironmentAsync(NoEnvironment, "ledger", "copy", "--from", exchange.Server.DatabasePath,
            "--to", "Host=127.0.0.1;Password=secret-0815;Bogus Keyword=1");

        Assert.Equal(Cli.ExitError, run.ExitCode);
        Assert.Contains("connection string", run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-0815", run.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rejects_BackupOverAnExistingFile()
    {
        var existing = NewFile("existing.db");
        await File.WriteAllTextAsync(existing, "keep me");

        var run = await CliExchange.PxctlWithEnvironmentAsync(NoEnvironment, "ledger", "backup", "--from", exchange.Server.DatabasePath, "--to", existing);

        Assert.Equal(Cli.ExitError, run.ExitCode);
        Assert.Contains("exists already", run.Stderr, StringComparison.Ordinal);
        Assert.Equal("keep me", await File.ReadAllTextAsync(existing));
    }
}
