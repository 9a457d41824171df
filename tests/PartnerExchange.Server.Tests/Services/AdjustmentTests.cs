using Grpc.Core;
using Grpc.Core.Interceptors;
using PartnerExchange.Testing;
using PartnerExchange.V1;

namespace PartnerExchange.Server.Tests.Services;

/// <summary>AdminService.AdjustBalance over the real server: an operator's correction of a member's balance.</summary>
public sealed class AdjustmentTests(RunningExchange exchange) : IntegrationTest(exchange), IClassFixture<RunningExchange>
{
    private AdminService.AdminServiceClient Admin => Exchange.Admin();

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        LedgerInvariants.AssertHold(Exchange.DatabasePath);
    }

    [Fact]
    public async Task AdjustBalance_Credit_AddsThePointsAndRecordsTheReasonAsTheReference()
    {
        var (shop, member) = await MemberWithAsync(100);

        var adjusted = await Admin.AdjustBalanceAsync(Adjustment(shop, member, 250, "goodwill: delayed flight"));

        Assert.Equal(350, adjusted.BalancePoints);
        Assert.Equal((TransactionKind.Adjustment, 250L, "goodwill: delayed flight", shop.ProgramCode, member),
            (adjusted.Transaction.Kind, adjusted.Transaction.Points, adjusted.Transaction.Reference, adjusted.Transaction.ProgramCode,
                adjusted.Transaction.MemberNumber));
        Assert.Equal(350, await shop.BalanceAsync(member));
    }

    [Fact]
    public async Task AdjustBalance_Debit_TakesThePointsAndThePartnerSeesIt()
    {
        var (shop, member) = await MemberWithAsync(100);

        var adjusted = await Admin.AdjustBalanceAsync(Adjustment(shop, member, -40, "duplicate accrual"));

        Assert.Equal(60, adjusted.BalancePoints);
        var history = await shop.Points.ListTransactionsAsync(new ListTransactionsRequest { MemberNumber = member });
        var seen = history.Transactions[0];
        Assert.Equal((adjusted.Transaction.TransactionId, TransactionKind.Adjustment, -40L, "duplicate accrual"),
            (seen.TransactionId, seen.Kind, seen.Points, seen.Reference));
    }

    [Fact]
    public async Task AdjustBalance_DebitBeyondTheBalance_FailsInsufficientPointsAndChangesNothing()
    {
        var (shop, member) = await MemberWithAsync(100);

        var error = await RpcAssert.FailsAsync(StatusCode.FailedPrecondition, "INSUFFICIENT_POINTS",
            () => Admin.AdjustBalanceAsync(Adjustment(shop, member, -101, "clawback")));

        Assert.Equal(("100", "101"), (RpcAssert.InfoOf(error)!.Metadata["balance_points"], RpcAssert.InfoOf(error)!.Metadata["required_points"]));
        Assert.Equal(100, await shop.BalanceAsync(member));
    }

    [Fact]
    public async Task GetAccount_AfterAdjustmentsBothWays_TotalsAddUpToTheBalance()
    {
        var (shop, member) = await MemberWithAsync(100);
        await Admin.AdjustBalanceAsync(Adjustment(shop, member, 30, "goodwill"));
        await Admin.AdjustBalanceAsync(Adjustment(shop, member, -50, "correction"));

        var account = await shop.Points.GetAccountAsync(new GetAccountRequest { MemberNumber = member });

        var t = account.Totals;
        Assert.Equal((30L, 50L), (t.AdjustmentCreditPoints, t.AdjustmentDebitPoints));
        Assert.Equal(account.BalancePoints,
            t.AccruedPoints - t.RedeemedPoints - t.ConvertedOutPoints + t.ConvertedInPoints + t.ReversalCreditPoints - t.ReversalDebitPoints
            - t.ExpiredPoints + t.AdjustmentCreditPoints - t.AdjustmentDebitPoints);
        Assert.Equal(80, account.BalancePoints);
    }

    [Fact]
    public async Task AdjustBalance_SameKeyAgain_ReplaysWithoutAdjustingTwice()
    {
        var (shop, member) = await MemberWithAsync(100);
        var request = Adjustment(shop, member, 25, "goodwill");

        var first = await Admin.AdjustBalanceAsync(request);
        var replay = await Admin.AdjustBalanceAsync(request);

        Assert.Equal(first, replay);
        Assert.Equal(125, await shop.BalanceAsync(member));
    }

    [Fact]
    public async Task AdjustBalance_SuspendedPartner_IsStillAdjusted()
    {
        var (shop, member) = await MemberWithAsync(100);
        await Admin.SuspendPartnerAsync(new SuspendPartnerRequest { IdempotencyKey = NewKey(), ProgramCode = shop.ProgramCode });

        var adjusted = await Admin.AdjustBalanceAsync(Adjustment(shop, member, -100, "fraud clawback"));

        Assert.Equal(0, adjusted.BalancePoints);
        await Admin.ResumePartnerAsync(new ResumePartnerRequest { IdempotencyKey = NewKey(), ProgramCode = shop.ProgramCode });
    }

    [Fact]
    public async Task Reverse_AnAdjustment_FailsNotReversible()
    {
        var (shop, member) = await MemberWithAsync(100);
        var adjusted = await Admin.AdjustBalanceAsync(Adjustment(shop, member, 10, "goodwill"));

        await RpcAssert.FailsAsync(StatusCode.FailedPrecondition, "NOT_REVERSIBLE", () => shop.Points.ReverseAsync(
            new ReverseRequest { IdempotencyKey = NewKey(), TransactionId = adjusted.Transaction.TransactionId }));

        Assert.Equal(110, await shop.BalanceAsync(member));
    }

    [Fact]
    public async Task AdjustBalance_UnknownMember_FailsMemberNotFound()
    {
        var shop = await Exchange.CreatePartnerAsync();

        await RpcAssert.FailsAsync(StatusCode.NotFound, "MEMBER_NOT_FOUND", () => Admin.AdjustBalanceAsync(Adjustment(shop, "NOBODY", 10, "goodwill")));
    }

    [Fact]
    public async Task AdjustBalance_UnknownProgram_FailsPartnerNotFound()
    {
        var request = new AdjustBalanceRequest
        {
            IdempotencyKey = NewKey(), ProgramCode = Exchange.NewProgramCode(), MemberNumber = "M1", Points = 10, Reason = "goodwill",
        };

        await RpcAssert.FailsAsync(StatusCode.NotFound, "PARTNER_NOT_FOUND", () => Admin.AdjustBalanceAsync(request));
    }

    [Theory]
    [InlineData(0, "goodwill", "points")]
    [InlineData(long.MinValue, "goodwill", "points")]
    [InlineData(10, "", "reason")]
    [InlineData(10, "   ", "reason")]
    [InlineData(10, "line\nbreak", "reason")]
    public async Task AdjustBalance_InvalidRequest_FailsInvalidArgumentAndChangesNothing(long points, string reason, string field)
    {
        var (shop, member) = await MemberWithAsync(100);

        await RpcAssert.InvalidAsync(() => Admin.AdjustBalanceAsync(Adjustment(shop, member, points, reason)), field);

        Assert.Equal(100, await shop.BalanceAsync(member));
    }

    [Fact]
    public async Task AdjustBalance_WithPartnerKey_PermissionDenied()
    {
        var (shop, member) = await MemberWithAsync(100);
        var asPartner = new AdminService.AdminServiceClient(Exchange.Channel.Intercept(m =>
        {
            m.Add("authorization", $"Bearer {shop.Key}");
            return m;
        }));

        await RpcAssert.FailsAsync(StatusCode.PermissionDenied, "OPERATOR_KEY_REQUIRED",
            () => asPartner.AdjustBalanceAsync(Adjustment(shop, member, 1_000, "self-service")));

        Assert.Equal(100, await shop.BalanceAsync(member));
    }

    private async Task<(TestPartner Shop, string Member)> MemberWithAsync(long points)
    {
        var shop = await Exchange.CreatePartnerAsync();
        var member = await shop.EnrollAsync();
        await shop.AccrueAsync(member, points);
        return (shop, member);
    }

    private static AdjustBalanceRequest Adjustment(TestPartner shop, string member, long points, string reason) => new()
    {
        IdempotencyKey = NewKey(), ProgramCode = shop.ProgramCode, MemberNumber = member, Points = points, Reason = reason,
    };

    private static string NewKey() => Guid.NewGuid().ToString("N");
}
