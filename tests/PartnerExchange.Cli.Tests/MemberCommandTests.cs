using PartnerExchange.Cli.Tests.Infrastructure;
using PartnerExchange.Testing;
using PartnerExchange.V1;

namespace PartnerExchange.Cli.Tests;

/// <summary>
/// <c>pxctl members show</c>, <c>pxctl members adjust</c> and <c>pxctl transactions show</c> against the real exchange. Balances are checked through the partner's own GetAccount,
/// not through pxctl's output, so a test sees what the ledger holds.
/// </summary>
public sealed class MemberCommandTests(CliExchange exchange) : IntegrationTest(exchange.Server), IClassFixture<CliExchange>
{
    [Fact]
    public async Task MembersAdjust_PositivePoints_CreditsTheMemberAndPrintsTheNewBalance()
    {
        var (partner, member) = await MemberWithAsync(1_000);

        var run = await exchange.PxctlAsync("members", "adjust", partner.ProgramCode, member, "--points", "250", "--reason", "goodwill: delayed flight");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains($"Adjusted member {member} of {partner.ProgramCode} by +250 points; the balance is now 1,250.", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("ADJUSTMENT", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("goodwill: delayed flight", run.Stdout, StringComparison.Ordinal);
        Assert.Equal("", run.Stderr);
        Assert.Equal(1_250, await partner.BalanceAsync(member));
    }

    [Theory]
    [InlineData("--points", "-400")]
    [InlineData("--points=-400")]
    public async Task MembersAdjust_NegativePoints_DebitsTheMemberAndPrintsTheNewBalance(params string[] pointsTokens)
    {
        var (partner, member) = await MemberWithAsync(1_000);

        var run = await exchange.PxctlAsync(["members", "adjust", partner.ProgramCode, member, .. pointsTokens, "--reason", "duplicate accrual"]);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains($"Adjusted member {member} of {partner.ProgramCode} by -400 points; the balance is now 600.", run.Stdout, StringComparison.Ordinal);
        Assert.Equal(600, await partner.BalanceAsync(member));
    }

    [Fact]
    public async Task MembersAdjust_Json_PrintsTheTransactionWithItsIdAsThePartnerSeesIt()
    {
        var (partner, member) = await MemberWithAsync(1_000);

        var run = await exchange.PxctlAsync("members", "adjust", partner.ProgramCode, member, "--points", "-1", "--reason", "rounding", "-o", "json");

        Assert.True(run.ExitCode == 0, run.ToString());
        var json = run.Json();
        var transaction = json.GetProperty("transaction");
        Assert.Equal("999", json.GetProperty("balancePoints").GetString());
        Assert.Equal("-1", transaction.GetProperty("points").GetString());
        Assert.Equal("rounding", transaction.GetProperty("reference").GetString());
        var history = await partner.Points.ListTransactionsAsync(new ListTransactionsRequest { MemberNumber = member });
        Assert.Equal(history.Transactions[0].TransactionId, transaction.GetProperty("transactionId").GetString());
    }

    [Fact]
    public async Task MembersAdjust_DebitBeyondTheBalance_PrintsInsufficientPointsAndExitsWithAnError()
    {
        var (partner, member) = await MemberWithAsync(100);

        var run = await exchange.PxctlAsync("members", "adjust", partner.ProgramCode, member, "--points", "-101", "--reason", "clawback");

        Assert.Equal(2, run.ExitCode);
        var lines = run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.StartsWith("error: FAILED_PRECONDITION INSUFFICIENT_POINTS:", lines[0], StringComparison.Ordinal);
        Assert.Contains("balance_points = 100", lines);
        Assert.Contains("required_points = 101", lines);
        Assert.Equal("", run.Stdout);
        Assert.Equal(100, await partner.BalanceAsync(member));
    }

    [Fact]
    public async Task MembersAdjust_WithoutReason_IsAUsageErrorAndSendsNothing()
    {
        var (partner, member) = await MemberWithAsync(100);

        var run = await exchange.PxctlAsync("members", "adjust", partner.ProgramCode, member, "--points", "50");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("'--reason' is required", run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Unrecognized", run.Stderr, StringComparison.Ordinal);
        Assert.Equal(100, await partner.BalanceAsync(member));
    }

    [Fact]
    public async Task MembersAdjust_ZeroPoints_ListsTheFieldViolation()
    {
        var (partner, member) = await MemberWithAsync(100);

        var run = await exchange.PxctlAsync("members", "adjust", partner.ProgramCode, member, "--points", "0", "--reason", "nothing");

        Assert.Equal(2, run.ExitCode);
        var lines = run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("error: INVALID_ARGUMENT VALIDATION_FAILED:", lines[0], StringComparison.Ordinal);
        Assert.Contains(lines, line => line.StartsWith("  points: ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task MembersAdjust_UnknownMember_IsNotFound()
    {
        var (partner, _) = await MemberWithAsync(100);

        var run = await exchange.PxctlAsync("members", "adjust", partner.ProgramCode, "NOSUCH-MEMBER", "--points", "10", "--reason", "goodwill");

        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith("error: NOT_FOUND MEMBER_NOT_FOUND:", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MembersAdjust_SameIdempotencyKeyTwice_AdjustsOnceAndReplaysTheOutput()
    {
        var (partner, member) = await MemberWithAsync(100);
        var key = Guid.NewGuid().ToString("N");
        string[] args = ["members", "adjust", partner.ProgramCode, member, "--points", "25", "--reason", "goodwill", "--idempotency-key", key];

        var first = await exchange.PxctlAsync(args);
        var replay = await exchange.PxctlAsync(args);

        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.True(replay.ExitCode == 0, replay.ToString());
        Assert.Equal(first.Stdout, replay.Stdout);
        Assert.Equal(125, await partner.BalanceAsync(member));
    }

    [Fact]
    public async Task MembersShow_AMemberWithHistory_PrintsBalanceTotalsAndLatestTransactions()
    {
        var (partner, member) = await MemberWithAsync(100);
        await partner.AccrueAsync(member, 50);

        var run = await exchange.PxctlAsync("members", "show", partner.ProgramCode, member);

        Assert.True(run.ExitCode == 0, run.ToString());
        var lines = run.Stdout.Split('\n').Select(line => line.Trim()).ToList();
        Assert.Contains(lines, line => line.StartsWith("Balance", StringComparison.Ordinal) && line.EndsWith("150", StringComparison.Ordinal));
        Assert.Contains(lines, line => line.StartsWith("Accrued", StringComparison.Ordinal) && line.EndsWith("150", StringComparison.Ordinal));
        Assert.Equal(2, lines.Count(line => line.Contains("ACCRUAL", StringComparison.Ordinal)));
        Assert.Contains("2 transaction(s)", lines);
        Assert.Equal("", run.Stderr);
    }

    [Fact]
    public async Task MembersShow_Json_IsTheAccountAndLatestTransactionsAsThePartnerSeesThem()
    {
        var (partner, member) = await MemberWithAsync(100);

        var run = await exchange.PxctlAsync("members", "show", partner.ProgramCode, member, "-o", "json");

        Assert.True(run.ExitCode == 0, run.ToString());
        var json = run.Json();
        Assert.Equal("100", json.GetProperty("account").GetProperty("balancePoints").GetString());
        var listed = json.GetProperty("latestTransactions").GetProperty("transactions");
        var history = await partner.Points.ListTransactionsAsync(new ListTransactionsRequest { MemberNumber = member });
        Assert.Equal(history.Transactions.Select(t => t.TransactionId), listed.EnumerateArray().Select(t => t.GetProperty("transactionId").GetString()));
    }

    [Fact]
    public async Task MembersShow_FewerTransactionsThanTheMemberHas_ListsTheLatestAndSaysMoreAreOlder()
    {
        var (partner, member) = await MemberWithAsync(100);
        await partner.AccrueAsync(member, 7);

        var run = await exchange.PxctlAsync("members", "show", partner.ProgramCode, member, "--transactions", "1");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("+7", run.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("+100", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("the latest 1 transaction(s); more are older", run.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("501")]
    public async Task MembersShow_TransactionsOutOfRange_IsAUsageError(string count)
    {
        var (partner, member) = await MemberWithAsync(100);

        var run = await exchange.PxctlAsync("members", "show", partner.ProgramCode, member, "--transactions", count);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--transactions must be between 0 and 500", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MembersShow_ProgramNoPartnerHas_IsPartnerNotFound()
    {
        var run = await exchange.PxctlAsync("members", "show", exchange.Server.NewProgramCode("NONE"), "M1");

        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith("error: NOT_FOUND PARTNER_NOT_FOUND:", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TransactionsShow_AConversionReadForItsDestination_PrintsTheDestinationsLeg()
    {
        var (shop, buyer) = await MemberWithAsync(100);
        var air = await exchange.Server.CreatePartnerAsync();
        var flyer = await air.EnrollAsync();
        await exchange.Server.SetRateAsync(shop.ProgramCode, air.ProgramCode, 1, 2);
        var id = (await shop.Conversions.ConvertAsync(new ConvertRequest
        {
            IdempotencyKey = Guid.NewGuid().ToString("N"), SourceMemberNumber = buyer, DestinationProgramCode = air.ProgramCode,
            DestinationMemberNumber = flyer, SourcePoints = 40,
        })).Transaction.TransactionId;

        var run = await exchange.PxctlAsync("transactions", "show", air.ProgramCode, id);

        Assert.True(run.ExitCode == 0, run.ToString());
        var lines = run.Stdout.Split('\n').Select(line => line.Trim()).ToList();
        Assert.Contains(lines, line => line.StartsWith("Member", StringComparison.Ordinal) && line.EndsWith(flyer, StringComparison.Ordinal));
        Assert.Contains(lines, line => line.StartsWith("Points", StringComparison.Ordinal) && line.EndsWith("+80", StringComparison.Ordinal));
        Assert.Contains(lines, line => line.StartsWith("Counterparty", StringComparison.Ordinal) && line.EndsWith(shop.ProgramCode, StringComparison.Ordinal));
    }

    [Fact]
    public async Task TransactionsShow_Json_IsWhatThePartnerGets()
    {
        var (partner, member) = await MemberWithAsync(100);
        var id = (await partner.Points.ListTransactionsAsync(new ListTransactionsRequest { MemberNumber = member })).Transactions[0].TransactionId;

        var run = await exchange.PxctlAsync("transactions", "show", partner.ProgramCode, id, "-o", "json");

        Assert.True(run.ExitCode == 0, run.ToString());
        var expected = await partner.Points.GetTransactionAsync(new GetTransactionRequest { TransactionId = id });
        Assert.Equal(expected, GetTransactionResponse.Parser.ParseJson(run.Stdout));
    }

    [Fact]
    public async Task TransactionsShow_UnknownId_IsTransactionNotFound()
    {
        var (partner, _) = await MemberWithAsync(1);

        var run = await exchange.PxctlAsync("transactions", "show", partner.ProgramCode, "tx_nothing");

        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith("error: NOT_FOUND TRANSACTION_NOT_FOUND:", run.Stderr, StringComparison.Ordinal);
    }

    private async Task<(TestPartner Partner, string Member)> MemberWithAsync(long points)
    {
        var partner = await exchange.Server.CreatePartnerAsync();
        var member = await partner.EnrollAsync();
        await partner.AccrueAsync(member, points);
        return (partner, member);
    }
}
