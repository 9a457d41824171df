using Grpc.Core;
using PartnerExchange.Testing;
using PartnerExchange.V1;

namespace PartnerExchange.Server.Tests.Settlement;

/// <summary>Liability and ledger verification through the real server.</summary>
public sealed class AuditTests(RunningExchange exchange) : IntegrationTest(exchange), IClassFixture<RunningExchange>
{
    private SettlementService.SettlementServiceClient Settlement => SettlementClients.Operator(Exchange);

    [Fact]
    public async Task GetLiability_AfterAccrualsRedemptionsAndConversions_IsWhatMembersHoldAtThePointPrice()
    {
        var shop = await Exchange.CreatePartnerAsync(pointPriceMicros: 12_345);
        var air = await Exchange.CreatePartnerAsync();
        await Exchange.SetRateAsync(shop.ProgramCode, air.ProgramCode, 1, 1);
        var (first, second, flyer) = (await shop.EnrollAsync(), await shop.EnrollAsync(), await air.EnrollAsync());
        await shop.AccrueAsync(first, 1_000);
        await shop.AccrueAsync(second, 501);
        await shop.Points.RedeemAsync(new RedeemRequest { IdempotencyKey = Guid.NewGuid().ToString("N"), MemberNumber = first, Points = 100 });
        await shop.Conversions.ConvertAsync(new ConvertRequest
        {
            IdempotencyKey = Guid.NewGuid().ToString("N"),
            SourceMemberNumber = second,
            DestinationProgramCode = air.ProgramCode,
            DestinationMemberNumber = flyer,
            SourcePoints = 200,
        });

        var liability = await Settlement.GetLiabilityAsync(new GetLiabilityRequest { ProgramCode = shop.ProgramCode });

        Assert.Equal(await shop.BalanceAsync(first) + await shop.BalanceAsync(second), liability.OutstandingPoints);
        Assert.Equal(1_201, liability.OutstandingPoints);
        Assert.Equal(1_201L * 12_345, liability.OutstandingValueMicros);
        Assert.Equal(1_483, liability.OutstandingValueMinor);
        Assert.Equal("USD", liability.CurrencyCode);
    }

    [Fact]
    public async Task GetLiability_AsOfTheFirstAccrual_LeavesOutWhatCameAfter()
    {
        var shop = await Exchange.CreatePartnerAsync();
        var member = await shop.EnrollAsync();
        var first = await shop.AccrueAsync(member, 700);
        await shop.AccrueAsync(member, 300);
        var justAfterFirst = first.Transaction.CreateTime.ToDateTimeOffset().AddTicks(10);

        var liability = await Settlement.GetLiabilityAsync(new GetLiabilityRequest
        {
            ProgramCode = shop.ProgramCode,
            AsOfTime = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(justAfterFirst),
        });

        Assert.Equal(700, liability.OutstandingPoints);
        Assert.Equal(Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(justAfterFirst), liability.AsOfTime);
    }

    [Fact]
    public async Task GetLiability_AsOfExactlyTheFirstAccrual_LeavesItOut()
    {
        var shop = await Exchange.CreatePartnerAsync();
        var member = await shop.EnrollAsync();
        var first = await shop.AccrueAsync(member, 700);

        var liability = await Settlement.GetLiabilityAsync(new GetLiabilityRequest { ProgramCode = shop.ProgramCode, AsOfTime = first.Transaction.CreateTime });

        Assert.Equal(0, liability.OutstandingPoints);
    }

    [Fact]
    public Task GetLiability_EmptyProgramCode_IsValidationFailed() =>
        RpcAssert.InvalidAsync(() => Settlement.GetLiabilityAsync(new GetLiabilityRequest()), "program_code");

    [Fact]
    public async Task GetLiability_WithPartnerKey_IsOperatorKeyRequired()
    {
        var shop = await Exchange.CreatePartnerAsync();

        await RpcAssert.FailsAsync(StatusCode.PermissionDenied, "OPERATOR_KEY_REQUIRED",
            () => SettlementClients.WithKey(Exchange, shop.Key).GetLiabilityAsync(new GetLiabilityRequest { ProgramCode = shop.ProgramCode }));
    }

    [Fact]
    public Task GetLiability_UnknownProgram_IsPartnerNotFound() =>
        RpcAssert.FailsAsync(StatusCode.NotFound, "PARTNER_NOT_FOUND",
            () => Settlement.GetLiabilityAsync(new GetLiabilityRequest { ProgramCode = "NOSUCHCODE" }));

    [Fact]
    public async Task VerifyLedger_AfterConversionsAndReversals_IsOk()
    {
        var shop = await Exchange.CreatePartnerAsync();
        var air = await Exchange.CreatePartnerAsync();
        await Exchange.SetRateAsync(shop.ProgramCode, air.ProgramCode, 1000, 800, fee: 5);
        var (buyer, flyer) = (await shop.EnrollAsync(), await air.EnrollAsync());
        await shop.AccrueAsync(buyer, 50_000);
        for (var i = 0; i < 5; i++)
        {
            var converted = await shop.Conversions.ConvertAsync(new ConvertRequest
            {
                IdempotencyKey = Guid.NewGuid().ToString("N"),
                SourceMemberNumber = buyer,
                DestinationProgramCode = air.ProgramCode,
                DestinationMemberNumber = flyer,
                SourcePoints = 1_000 + (i * 333),
            });
            if (i % 2 == 0)
            {
                await shop.Points.ReverseAsync(new ReverseRequest { IdempotencyKey = Guid.NewGuid().ToString("N"), TransactionId = converted.Transaction.TransactionId });
            }
        }

        var verification = await Settlement.VerifyLedgerAsync(new VerifyLedgerRequest());

        Assert.True(verification.Ok, string.Join('\n', verification.Findings));
        Assert.Contains("obligations_match_conversions", verification.Checks);
        Assert.True(verification.TransactionCount >= 9);
    }

    [Fact]
    public async Task VerifyLedger_WithPartnerKey_IsOperatorKeyRequired()
    {
        var shop = await Exchange.CreatePartnerAsync();

        await RpcAssert.FailsAsync(StatusCode.PermissionDenied, "OPERATOR_KEY_REQUIRED",
            () => SettlementClients.WithKey(Exchange, shop.Key).VerifyLedgerAsync(new VerifyLedgerRequest()));
    }
}
