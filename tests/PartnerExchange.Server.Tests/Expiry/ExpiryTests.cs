using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.Time.Testing;
using PartnerExchange.Testing;
using PartnerExchange.V1;

namespace PartnerExchange.Server.Tests.Expiry;


public sealed class ExpiryTests(ClockedExchange fixture) : IClassFixture<ClockedExchange>
{
    private static readonly ExpiryPolicy Lifetime12 = new() { Kind = ExpiryPolicyKind.LotLifetime, Months = 12 };

    private RunningExchange Exchange => fixture.Exchange;

    private FakeTimeProvider Clock => fixture.Clock;

    [Fact]
    public async Task CreatePartner_WithLotLifetime_PolicyIsShown()
    {
        var partner = await PartnerWithPolicyAsync(Lifetime12);

        var shown = await Exchange.Admin().GetPartnerAsync(new GetPartnerRequest { ProgramCode = partner.ProgramCode });

        Assert.Equal(Lifetime12, shown.Partner.ExpiryPolicy);
    }

    [Fact]
    public async Task CreatePartner_WithoutPolicy_NeverExpires()
    {
        var partner = await Exchange.CreatePartnerAsync();

        var shown = await Exchange.Admin().GetPartnerAsync(new GetPartnerRequest { ProgramCode = partner.ProgramCode });

        Assert.Equal(ExpiryPolicyKind.None, shown.Partner.ExpiryPolicy.Kind);
    }

    [Theory]
    [InlineData(ExpiryPolicyKind.LotLifetime, 0, "expiry_policy.months")]
    [InlineData(ExpiryPolicyKind.Inactivity, 121, "expiry_policy.months")]
    [InlineData(ExpiryPolicyKind.None, 3, "expiry_policy.months")]
    [InlineData(ExpiryPolicyKind.Unspecified, 3, "expiry_policy.kind")]
    [InlineData((ExpiryPolicyKind)9, 3, "expiry_policy.kind")]
    public async Task UpdatePartner_InvalidPolicy_Rejected(ExpiryPolicyKind kind, int months, string field)
    {
        var partner = await Exchange.CreatePartnerAsync();

        await RpcAssert.InvalidAsync(() => Exchange.Admin().UpdatePartnerAsync(new UpdatePartnerRequest
        {
            IdempotencyKey = NewKey(),
            ProgramCode = partner.ProgramCode,
            ExpiryPolicy = new ExpiryPolicy { Kind = kind, Months = months },
        }), field);
    }

    [Fact]
    public async Task UpdatePartner_NewPolicy_AppliesToLaterAccrualsOnly()
    {
        var partner = await Exchange.CreatePartnerAsync();
        var member = await partner.EnrollAsync();
        await partner.AccrueAsync(member, 100);
        await Exchange.Admin().UpdatePartnerAsync(new UpdatePartnerRequest
        {
            IdempotencyKey = NewKey(), ProgramCode = partner.ProgramCode, ExpiryPolicy = Lifetime12,
        });
        await partner.AccrueAsync(member, 40);

        var expiring = (await AccountAsync(partner, member, Clock.GetUtcNow().AddMonths(12).AddDays(1))).Expiring;

        Assert.Equal(40, expiring.Last().Points);
    }

    [Fact]
    public async Task GetAccount_LotsExpiringWithinHorizons_ShownCumulatively()
    {
        var partner = await PartnerWithPolicyAsync(Lifetime12);
        var member = await partner.EnrollAsync();
        var firstCredit = Clock.GetUtcNow();
        await partner.AccrueAsync(member, 100);
        // Expires 50 days after the moment looked at: within 60 and 90 days, not 30.
        Clock.Advance(TimeSpan.FromDays(30));
        await partner.AccrueAsync(member, 50);
        Clock.SetUtcNow(firstCredit.AddMonths(12).AddDays(-20));

        var account = await partner.Points.GetAccountAsync(new GetAccountRequest { MemberNumber = member });

        Assert.Equal([30, 60, 90], account.Expiring.Select(e => e.WithinDays));
        Assert.Equal([100L, 150L, 150L], account.Expiring.Select(e => e.Points));
        Assert.Equal(Timestamp.FromDateTimeOffset(firstCredit.AddMonths(12)), account.Expiring[0].FirstExpireTime);
    }

    [Fact]
    public async Task GetAccount_NoPolicy_NothingExpiring()
    {
        var partner = await Exchange.CreatePartnerAsync();
        var member = await partner.EnrollAsync();
        await partner.AccrueAsync(member, 100);

        var account = await partner.Points.GetAccountAsync(new GetAccountRequest { MemberNumber = member });

        Assert.Empty(account.Expiring);
    }

    [Fact]
    public async Task RunExpiry_DryRunInTheFuture_ReportsAndChangesNothing()
    {
        var partner = await PartnerWithPolicyAsync(Lifetime12);
        var member = await partner.EnrollAsync();
        await partner.AccrueAsync(member, 100);

        var preview = await RunAsync(partner.ProgramCode, Clock.GetUtcNow().AddMonths(12), dryRun: true);

        Assert.Equal((100L, 1L), (preview.ExpiredPoints, preview.ExpiredAccounts));
        Assert.True(preview.DryRun);
        Assert.Equal(100, await partner.BalanceAsync(member));
        Assert.Equal(100, (await RunAsync(partner.ProgramCode, Clock.GetUtcNow().AddMonths(12), dryRun: true)).ExpiredPoints);
    }

    [Fact]
    public async Task RunExpiry_DryRunOverMoreAccountsThanABatch_ReportsWhatTheRealRunThenDoes()
    {
        var partner = await PartnerWithPolicyAsync(Lifetime12);
        for (var i = 1; i <= 7; i++)
        {
            await partner.AccrueAsync(await partner.EnrollAsync(), i);
        }
        Clock.Advance(TimeSpan.FromDays(400));

        var preview = await RunAsync(partner.ProgramCode, dryRun: true);
        var run = await RunAsync(partner.ProgramCode);

        Assert.Equal((28L, 7L), (preview.ExpiredPoints, preview.ExpiredAccounts));
        Assert.Equal((preview.ExpiredPoints, preview.ExpiredAccounts, preview.Warnings), (run.ExpiredPoints, run.ExpiredAccounts, run.Warnings));
    }

    [Fact]
    public async Task RunExpiry_RealRunInTheFuture_Rejected()
    {
        var partner = await PartnerWithPolicyAsync(Lifetime12);

        await RpcAssert.InvalidAsync(() => Exchange.Admin().RunExpiryAsync(new RunExpiryRequest
        {
            IdempotencyKey = NewKey(), ProgramCode = partner.ProgramCode, AsOfTime = Timestamp.FromDateTimeOffset(Clock.GetUtcNow().AddDays(1)),
        }), "as_of_time");
    }

    [Fact]
    public async Task RunExpiry_AfterLifetime_PostsExpiryAndEmptiesTheBalance()
    {
        var partner = await PartnerWithPolicyAsync(Lifetime12);
        var member = await partner.EnrollAsync();
        await partner.AccrueAsync(member, 100);
        await partner.Points.RedeemAsync(new RedeemRequest { IdempotencyKey = NewKey(), MemberNumber = member, Points = 30 });
        Clock.Advance(TimeSpan.FromDays(400));

        var run = await RunAsync(partner.ProgramCode);

        Assert.Equal((70L, 1L), (run.ExpiredPoints, run.ExpiredAccounts));
        Assert.Equal(0, await partner.BalanceAsync(member));
        var history = await partner.Points.ListTransactionsAsync(new ListTransactionsRequest { MemberNumber = member });
        Assert.Equal(TransactionKind.Expiry, history.Transactions[0].Kind);
        Assert.Equal(-70, history.Transactions[0].Points);
    }

    [Fact]
    public async Task Redeem_PointsPastTheirLifetimeBeforeAnyRun_FailsWithTheExpiredPointsAndChangesNothing()
    {
        var partner = await PartnerWithPolicyAsync(Lifetime12);
        var member = await partner.EnrollAsync();
        await partner.AccrueAsync(member, 100);
        Clock.Advance(TimeSpan.FromDays(400));

        var error = await RpcAssert.FailsAsync(StatusCode.FailedPrecondition, "INSUFFICIENT_POINTS", () => partner.Points.RedeemAsync(
            new RedeemRequest { IdempotencyKey = NewKey(), MemberNumber = member, Points = 30 }));

        Assert.Equal("100", RpcAssert.InfoOf(error)!.Metadata["expired_points"]);
        Assert.Equal("100", RpcAssert.InfoOf(error)!.Metadata["balance_points"]);
        Assert.Equal(100, await partner.BalanceAsync(member));
    }

    [Fact]
    public async Task RunExpiry_SameKeyAgain_ReplaysTheSameAnswer()
    {
        var partner = await PartnerWithPolicyAsync(Lifetime12);
        var member = await partner.EnrollAsync();
        await partner.AccrueAsync(member, 100);
        Clock.Advance(TimeSpan.FromDays(400));
        var request = new RunExpiryRequest
        {
            IdempotencyKey = NewKey(), ProgramCode = partner.ProgramCode, AsOfTime = Timestamp.FromDateTimeOffset(Clock.GetUtcNow()),
        };

        var first = await Exchange.Admin().RunExpiryAsync(request);
        var replay = await Exchange.Admin().RunExpiryAsync(request);

        Assert.Equal(first, replay);
        Assert.Equal(100, first.ExpiredPoints);
    }

    [Fact]
    public async Task RunExpiry_NewKeySameMoment_ExpiresNothingTwice()
    {
        var partner = await PartnerWithPolicyAsync(Lifetime12);
        var member = await partner.EnrollAsync();
        await partner.AccrueAsync(member, 100);
        Clock.Advance(TimeSpan.FromDays(400));
        await RunAsync(partner.ProgramCode);

        var again = await RunAsync(partner.ProgramCode);

        Assert.Equal((0L, 0L), (again.ExpiredPoints, again.ExpiredAccounts));
        Assert.Equal(0, await partner.BalanceAsync(member));
    }

    [Fact]
    public async Task RunExpiry_Inactivity_ActivityResetsTheClock()
    {
        var partner = await PartnerWithPolicyAsync(new ExpiryPolicy { Kind = ExpiryPolicyKind.Inactivity, Months = 6 });
        var idle = await partner.EnrollAsync();
        var active = await partner.EnrollAsync();
        await partner.AccrueAsync(idle, 100);
        await partner.AccrueAsync(active, 100);
        Clock.Advance(TimeSpan.FromDays(150));
        await partner.Points.RedeemAsync(new RedeemRequest { IdempotencyKey = NewKey(), MemberNumber = active, Points = 1 });
        Clock.Advance(TimeSpan.FromDays(40));

        var run = await RunAsync(partner.ProgramCode);

        Assert.Equal((100L, 1L), (run.ExpiredPoints, run.ExpiredAccounts));
        Assert.Equal(0, await partner.BalanceAsync(idle));
        Assert.Equal(99, await partner.BalanceAsync(active));
    }

    [Fact]
    public async Task Reverse_AnExpiry_NotReversible()
    {
        var partner = await PartnerWithPolicyAsync(Lifetime12);
        var member = await partner.EnrollAsync();
        await partner.AccrueAsync(member, 100);
        Clock.Advance(TimeSpan.FromDays(400));
        await RunAsync(partner.ProgramCode);
        var expiry = (await partner.Points.ListTransactionsAsync(new ListTransactionsRequest { MemberNumber = member })).Transactions[0];

        await RpcAssert.FailsAsync(StatusCode.FailedPrecondition, "NOT_REVERSIBLE", () => partner.Points.ReverseAsync(
            new ReverseRequest { IdempotencyKey = NewKey(), TransactionId = expiry.TransactionId }));
    }

    [Fact]
    public async Task RunExpiry_UnknownProgram_NotFound()
    {
        await RpcAssert.FailsAsync(StatusCode.NotFound, "PARTNER_NOT_FOUND", () => Exchange.Admin().RunExpiryAsync(
            new RunExpiryRequest { IdempotencyKey = NewKey(), ProgramCode = Exchange.NewProgramCode("NONE") }));
    }

    [Fact]
    public async Task RunExpiry_WithPartnerKey_PermissionDenied()
    {
        var partner = await Exchange.CreatePartnerAsync();
        var admin = new AdminService.AdminServiceClient(Exchange.Channel.Intercept(m =>
        {
            m.Add("authorization", $"Bearer {partner.Key}");
            return m;
        }));

        await RpcAssert.FailsAsync(StatusCode.PermissionDenied, "OPERATOR_KEY_REQUIRED", () => admin.RunExpiryAsync(
            new RunExpiryRequest { IdempotencyKey = NewKey() }));
    }

    private async Task<TestPartner> PartnerWithPolicyAsync(ExpiryPolicy policy)
    {
        var partner = await Exchange.CreatePartnerAsync();
        await Exchange.Admin().UpdatePartnerAsync(new UpdatePartnerRequest
        {
            IdempotencyKey = NewKey(), ProgramCode = partner.ProgramCode, ExpiryPolicy = policy,
        });
        return partner;
    }

    private Task<RunExpiryResponse> RunAsync(string programCode, DateTimeOffset? asOf = null, bool dryRun = false) =>
        Exchange.Admin().RunExpiryAsync(new RunExpiryRequest
        {
            IdempotencyKey = NewKey(),
            ProgramCode = programCode,
            AsOfTime = Timestamp.FromDateTimeOffset(asOf ?? Clock.GetUtcNow()),
            DryRun = dryRun,
        }).ResponseAsync;

    /// <summary>The account as it looks at a later moment; the clock stays there.</summary>
    private async Task<GetAccountResponse> AccountAsync(TestPartner partner, string member, DateTimeOffset at)
    {
        Clock.SetUtcNow(at);
        return await partner.Points.GetAccountAsync(new GetAccountRequest { MemberNumber = member });
    }

    private static string NewKey() => Guid.NewGuid().ToString("N");
}

/// <summary>A server on a fake clock whose expiry job runs every hour of that clock.</summary>
public sealed class JobExchange : IAsyncLifetime
{
    public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero));

    public RunningExchange Exchange { get; } = new();

    public Task InitializeAsync()
    {
        Exchange.Clock = Clock;
        Exchange.Settings["Expiry:RunInterval"] = "01:00:00";
        return Exchange.InitializeAsync();
    }

    public Task DisposeAsync() => Exchange.DisposeAsync();
}

public sealed class ExpiryJobTests(JobExchange fixture) : IClassFixture<JobExchange>
{
    [Fact]
    public async Task ExpiryJob_ClockPassesTheLifetime_ExpiresThePointsOnItsOwn()
    {
        var exchange = fixture.Exchange;
        var partner = await exchange.CreatePartnerAsync();
        await exchange.Admin().UpdatePartnerAsync(new UpdatePartnerRequest
        {
            IdempotencyKey = Guid.NewGuid().ToString("N"),
            ProgramCode = partner.ProgramCode,
            ExpiryPolicy = new ExpiryPolicy { Kind = ExpiryPolicyKind.LotLifetime, Months = 1 },
        });
        var member = await partner.EnrollAsync();
        await partner.AccrueAsync(member, 80);

        fixture.Clock.Advance(TimeSpan.FromDays(40));

        // The job runs on its own schedule: wait for its effect, bounded by a generous deadline.
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (await partner.BalanceAsync(member) != 0)
        {
            await Task.Delay(50, deadline.Token);
        }
        var history = await partner.Points.ListTransactionsAsync(new ListTransactionsRequest { MemberNumber = member });
        Assert.Equal(TransactionKind.Expiry, history.Transactions[0].Kind);
        Assert.Equal(-80, history.Transactions[0].Points);
    }
}
