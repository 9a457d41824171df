using PartnerExchange.Cli.Tests.Infrastructure;
using PartnerExchange.Testing;
using PartnerExchange.V1;

namespace PartnerExchange.Cli.Tests;

/// <summary>pxctl's partner, rate and key commands and its error reporting, against the real exchange.</summary>
public sealed class AdminCommandTests(CliExchange exchange) : IClassFixture<CliExchange>
{
    [Fact]
    public async Task PartnersCreate_Table_ShowsThePartner()
    {
        var code = exchange.NewProgramCode("AIR");

        var run = await CreatePartnerAsync(code);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains(code, run.Stdout, StringComparison.Ordinal);
        Assert.Contains("Sky Air", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("AIRLINE", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("ACTIVE", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("0.0125 USD", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("2 pt per 1.00 USD", run.Stdout, StringComparison.Ordinal);
        Assert.Equal("", run.Stderr);
    }

    [Fact]
    public async Task PartnersGet_Json_HasEveryFieldOfThePartner()
    {
        var code = exchange.NewProgramCode("AIR");
        Assert.Equal(0, (await CreatePartnerAsync(code)).ExitCode);

        var run = await exchange.PxctlAsync("partners", "get", code, "--output", "json");

        Assert.True(run.ExitCode == 0, run.ToString());
        var partner = run.Json().GetProperty("partner");
        Assert.Equal(code, partner.GetProperty("programCode").GetString());
        Assert.Equal("12500", partner.GetProperty("pointPriceMicros").GetString());
        Assert.Equal("PARTNER_KIND_AIRLINE", partner.GetProperty("kind").GetString());
        Assert.Equal("PARTNER_STATUS_ACTIVE", partner.GetProperty("status").GetString());
        Assert.Equal("2", partner.GetProperty("earnRule").GetProperty("points").GetString());
    }

    [Fact]
    public async Task PartnersList_TableAndJson_ListTheCreatedPartners()
    {
        var first = exchange.NewProgramCode("L");
        var second = exchange.NewProgramCode("L");
        Assert.Equal(0, (await CreatePartnerAsync(first)).ExitCode);
        Assert.Equal(0, (await CreatePartnerAsync(second)).ExitCode);

        var table = await exchange.PxctlAsync("partners", "list");
        var json = await exchange.PxctlAsync("partners", "list", "-o", "json");

        Assert.True(table.ExitCode == 0, table.ToString());
        Assert.Contains(first, table.Stdout, StringComparison.Ordinal);
        Assert.Contains(second, table.Stdout, StringComparison.Ordinal);
        Assert.Contains("POINT PRICE", table.Stdout, StringComparison.Ordinal);
        var codes = json.Json().GetProperty("partners").EnumerateArray().Select(p => p.GetProperty("programCode").GetString()).ToList();
        Assert.Contains(first, codes);
        Assert.Contains(second, codes);
        Assert.Equal("", json.Json().GetProperty("nextPageToken").GetString());
    }

    [Fact]
    public async Task PartnersUpdate_ChangesOnlyWhatIsGiven()
    {
        var code = exchange.NewProgramCode("U");
        Assert.Equal(0, (await CreatePartnerAsync(code)).ExitCode);

        var run = await exchange.PxctlAsync("partners", "update", code, "--point-price", "0.02", "--writes", "10:20", "-o", "json");

        Assert.True(run.ExitCode == 0, run.ToString());
        var partner = run.Json().GetProperty("partner");
        Assert.Equal("20000", partner.GetProperty("pointPriceMicros").GetString());
        Assert.Equal("Sky Air", partner.GetProperty("displayName").GetString());
        Assert.Equal(10, partner.GetProperty("rateLimits").GetProperty("writes").GetProperty("requestsPerSecond").GetInt32());
    }

    [Fact]
    public async Task PartnersSuspendThenResume_ChangesTheStatus()
    {
        var code = exchange.NewProgramCode("S");
        Assert.Equal(0, (await CreatePartnerAsync(code)).ExitCode);

        var suspended = await exchange.PxctlAsync("partners", "suspend", code);
        var resumed = await exchange.PxctlAsync("partners", "resume", code, "-o", "json");

        Assert.True(suspended.ExitCode == 0, suspended.ToString());
        Assert.Contains("SUSPENDED", suspended.Stdout, StringComparison.Ordinal);
        Assert.Equal("PARTNER_STATUS_ACTIVE", resumed.Json().GetProperty("partner").GetProperty("status").GetString());
    }

    [Fact]
    public async Task PartnersCreate_SameIdempotencyKeyTwice_ReplaysTheFirstResult()
    {
        var code = exchange.NewProgramCode("I");
        var key = Guid.NewGuid().ToString("N");

        var first = await CreatePartnerAsync(code, "--idempotency-key", key);
        var replay = await CreatePartnerAsync(code, "--idempotency-key", key);
        var reused = await CreatePartnerAsync(exchange.NewProgramCode("I"), "--idempotency-key", key);

        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.True(replay.ExitCode == 0, replay.ToString());
        Assert.Equal(first.Stdout, replay.Stdout);
        Assert.Equal(2, reused.ExitCode);
        Assert.Contains("error: FAILED_PRECONDITION IDEMPOTENCY_KEY_REUSED:", reused.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PartnersCreate_WithoutIdempotencyKey_UsesANewKeyPerInvocation()
    {
        var code = exchange.NewProgramCode("N");
        Assert.Equal(0, (await CreatePartnerAsync(code)).ExitCode);

        var again = await CreatePartnerAsync(code);

        // A new key per invocation: the second run is a new request, refused because the code is taken.
        Assert.Equal(2, again.ExitCode);
        Assert.Contains("error: ALREADY_EXISTS PROGRAM_CODE_TAKEN:", again.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PartnersCreate_InvalidInput_ListsTheFieldViolations()
    {
        var run = await exchange.PxctlAsync(
            "partners", "create", "bad code", "--name", "X", "--program-name", "X", "--kind", "hotel", "--currency", "XXX", "--point-price", "0.01");

        Assert.Equal(2, run.ExitCode);
        var lines = run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("error: INVALID_ARGUMENT VALIDATION_FAILED:", lines[0], StringComparison.Ordinal);
        Assert.Contains(lines, line => line.StartsWith("  program_code: ", StringComparison.Ordinal));
        Assert.Contains(lines, line => line.StartsWith("  settlement_currency_code: ", StringComparison.Ordinal));
        Assert.DoesNotContain("   at ", run.Stderr, StringComparison.Ordinal);
        Assert.Equal("", run.Stdout);
    }

    [Fact]
    public async Task PartnersGet_UnknownCode_IsNotFound()
    {
        var run = await exchange.PxctlAsync("partners", "get", "NOSUCH1");

        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith("error: NOT_FOUND PARTNER_NOT_FOUND:", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task KeysCreate_PartnerKey_PrintsTheSecretOnceAndItWorks()
    {
        var code = exchange.NewProgramCode("K");
        Assert.Equal(0, (await CreatePartnerAsync(code)).ExitCode);
        var idempotencyKey = Guid.NewGuid().ToString("N");

        var run = await exchange.PxctlAsync("keys", "create", "--partner", code, "--label", "pos terminals", "--idempotency-key", idempotencyKey);
        var replay = await exchange.PxctlAsync("keys", "create", "--partner", code, "--label", "pos terminals", "--idempotency-key", idempotencyKey);
        var list = await exchange.PxctlAsync("keys", "list", "--partner", code);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains($"Created partner key for {code} ", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("shown this once", run.Stdout, StringComparison.Ordinal);
        var secret = SecretLine(run.Stdout);
        var account = await exchange.Points(secret).EnrollMemberAsync(new EnrollMemberRequest { IdempotencyKey = "k1", MemberNumber = "M1" });
        Assert.Equal("M1", account.Member.MemberNumber);
        Assert.True(replay.ExitCode == 0, replay.ToString());
        Assert.DoesNotContain(secret, replay.Stdout, StringComparison.Ordinal);
        Assert.Contains("No secret in this response", replay.Stdout, StringComparison.Ordinal);
        Assert.Contains("pos terminals", list.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, list.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task KeysCreate_OperatorKeyJson_HasTheSecret_AndRevokeEndsIt()
    {
        var created = await exchange.PxctlAsync("keys", "create", "--operator", "--label", "night shift", "-o", "json");
        var json = created.Json();
        var secret = json.GetProperty("secret").GetString()!;
        var keyId = json.GetProperty("apiKey").GetProperty("keyId").GetString()!;

        var withNewKey = await CliExchange.PxctlWithEnvironmentAsync(
            new Dictionary<string, string> { ["PX_ADDRESS"] = exchange.Address, ["PX_OPERATOR_KEY"] = secret }, "partners", "list");
        var revoked = await exchange.PxctlAsync("keys", "revoke", keyId);
        var afterRevoke = await exchange.PxctlAsync("partners", "list", "--key", secret);

        Assert.Equal("API_KEY_ROLE_OPERATOR", json.GetProperty("apiKey").GetProperty("role").GetString());
        Assert.True(withNewKey.ExitCode == 0, withNewKey.ToString());
        Assert.True(revoked.ExitCode == 0, revoked.ToString());
        Assert.Contains($"Revoked {keyId}", revoked.Stdout, StringComparison.Ordinal);
        Assert.Equal(2, afterRevoke.ExitCode);
        Assert.Contains("the operator key was refused (API_KEY_INVALID)", afterRevoke.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task KeysCreate_NeitherPartnerNorOperator_IsAUsageError()
    {
        var run = await exchange.PxctlAsync("keys", "create", "--label", "x");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("exactly one of --partner CODE or --operator", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RatesSetThenList_ShowsTheVersion()
    {
        var from = exchange.NewProgramCode("RF");
        var to = exchange.NewProgramCode("RT");
        Assert.Equal(0, (await CreatePartnerAsync(from)).ExitCode);
        Assert.Equal(0, (await CreatePartnerAsync(to)).ExitCode);

        var set = await exchange.PxctlAsync(
            "rates", "set", from, to, "--ratio", "1000:800", "--min", "1000", "--max", "100000", "--increment", "100", "--fee", "10",
            "--bonus-bps", "500", "--bonus-start", "2026-01-01T00:00:00Z", "--bonus-end", "2026-02-01T00:00:00Z");
        var table = await exchange.PxctlAsync("rates", "list", "--from", from);
        var json = await exchange.PxctlAsync("rates", "list", "--from", from, "--to", to, "--history", "-o", "json");

        Assert.True(set.ExitCode == 0, set.ToString());
        Assert.Contains($"{from} → {to}", set.Stdout, StringComparison.Ordinal);
        Assert.Contains("1000:800", table.Stdout, StringComparison.Ordinal);
        Assert.Contains("500 bps (2026-01-01T00:00:00Z–2026-02-01T00:00:00Z)", table.Stdout, StringComparison.Ordinal);
        var rate = Assert.Single(json.Json().GetProperty("rates").EnumerateArray());
        Assert.Equal("1", rate.GetProperty("version").GetString());
        Assert.Equal("800", rate.GetProperty("toPoints").GetString());
        Assert.Equal("10", rate.GetProperty("memberFeePoints").GetString());
        Assert.True(rate.GetProperty("enabled").GetBoolean());
    }

    [Fact]
    public async Task RatesSet_Disabled_SwitchesTheDirectionOff()
    {
        var from = exchange.NewProgramCode("DF");
        var to = exchange.NewProgramCode("DT");
        Assert.Equal(0, (await CreatePartnerAsync(from)).ExitCode);
        Assert.Equal(0, (await CreatePartnerAsync(to)).ExitCode);

        var run = await exchange.PxctlAsync(
            "rates", "set", from, to, "--ratio", "1:1", "--min", "1", "--max", "10", "--increment", "1", "--disabled", "-o", "json");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.False(run.Json().GetProperty("rate").GetProperty("enabled").GetBoolean());
    }

    [Fact]
    public async Task RatesSet_BadRatio_IsAParseErrorAndSendsNothing()
    {
        var run = await exchange.PxctlAsync("rates", "set", "A1", "B1", "--ratio", "1000", "--min", "1", "--max", "2", "--increment", "1");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("'1000' is not two positive whole numbers written A:B", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnyCommand_WrongKey_SaysTheKeyWasRefused_WithoutPrintingIt()
    {
        const string wrongKey = "px_not-a-real-key-0123456789abcdef0123456789";

        var run = await exchange.PxctlAsync("partners", "list", "--key", wrongKey);

        Assert.Equal(2, run.ExitCode);
        Assert.Equal("error: the operator key was refused (API_KEY_INVALID)", run.Stderr.Trim());
        Assert.DoesNotContain(wrongKey, run.Stderr + run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnyCommand_PartnerKey_SaysAnOperatorKeyIsNeeded()
    {
        var (_, partnerKey) = await exchange.CreatePartnerAsync();

        var run = await exchange.PxctlAsync("partners", "list", "--key", partnerKey);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("OPERATOR_KEY_REQUIRED", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnyCommand_NoKey_IsAUsageError()
    {
        var run = await CliExchange.PxctlWithEnvironmentAsync(
            new Dictionary<string, string> { ["PX_ADDRESS"] = exchange.Address }, "partners", "list");

        Assert.Equal(2, run.ExitCode);
        Assert.Equal("error: no operator key: pass --key or set PX_OPERATOR_KEY.", run.Stderr.Trim());
    }

    [Fact]
    public async Task AnyCommand_ServerDown_SaysItCannotReachTheExchange()
    {
        var address = $"http://127.0.0.1:{LoopbackPorts.Free()}";

        var run = await exchange.PxctlAsync("partners", "list", "--address", address);

        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith($"error: cannot reach the exchange at {address}: ", run.Stderr, StringComparison.Ordinal);
        Assert.Single(run.Stderr.Trim().Split('\n'));
    }

    [Fact]
    public async Task Mutation_ServerDown_SaysHowToRetrySafely()
    {
        var address = $"http://127.0.0.1:{LoopbackPorts.Free()}";

        var run = await exchange.PxctlAsync("partners", "suspend", "ANY1", "--address", address, "--idempotency-key", "retry-me");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--idempotency-key retry-me", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NoCommand_IsAUsageError()
    {
        var run = await exchange.PxctlAsync();

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("pxctl --help", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_ListsTheCommands_AndNeverTheKey()
    {
        var run = await exchange.PxctlAsync("--help");

        Assert.Equal(0, run.ExitCode);
        // Each command as a line of the Commands listing: the names also occur in the tool's description.
        var listed = run.Stdout.Split('\n').Select(line => line.TrimEnd()).Where(line => line.StartsWith("  ", StringComparison.Ordinal))
            .Select(line => line.TrimStart().Split(' ')[0]).ToHashSet(StringComparer.Ordinal);
        foreach (var command in new[] { "partners", "rates", "keys", "members", "transactions", "settlement", "liability", "reconcile", "ledger", "events", "expiry", "health" })
        {
            Assert.Contains(command, listed);
        }
        Assert.DoesNotContain(exchange.OperatorKey, run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Version_PrintsTheReleaseVersion()
    {
        var run = await exchange.PxctlAsync("--version");

        Assert.Equal(0, run.ExitCode);
        Assert.StartsWith($"pxctl {Repository.Version}", run.Stdout, StringComparison.Ordinal);
    }

    private Task<CliRun> CreatePartnerAsync(string code, params string[] extra) =>
        exchange.PxctlAsync(
        [
            "partners", "create", code, "--name", "Sky Air", "--program-name", "SkyMiles", "--kind", "airline",
            "--currency", "USD", "--point-price", "0.0125", "--earn", "2:100", .. extra,
        ]);

    private static string SecretLine(string stdout)
    {
        var lines = stdout.Split('\n').Select(line => line.Trim()).ToList();
        var header = lines.FindIndex(line => line.StartsWith("Secret", StringComparison.Ordinal));
        return lines.Skip(header + 1).First(line => line.Length > 0);
    }
}
