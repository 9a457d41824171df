using Grpc.Core;
using PartnerExchange.Client;
using PartnerExchange.Testing;
using PartnerExchange.V1;

namespace PartnerExchange.Server.Tests.Errors;

/// <summary>
/// Tools that show no google.rpc details (grpcurl, buf curl, gateways) show the status message alone, so the message
/// starts with the reason and, for invalid input, the first invalid field; the .NET client does not repeat it.
/// </summary>
public sealed class StatusMessageTests(RunningExchange exchange) : IntegrationTest(exchange), IClassFixture<RunningExchange>
{
    [Fact]
    public async Task Redeem_InsufficientPoints_MessageStartsWithTheReason()
    {
        var shop = await Exchange.CreatePartnerAsync();
        var member = await shop.EnrollAsync();

        var error = await RpcAssert.FailsAsync(StatusCode.FailedPrecondition, "INSUFFICIENT_POINTS", () => shop.Points.RedeemAsync(
            new RedeemRequest { IdempotencyKey = Guid.NewGuid().ToString("N"), MemberNumber = member, Points = 1 }));

        Assert.StartsWith("INSUFFICIENT_POINTS: ", error.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(error.Status.Detail, error.GetRpcStatus()!.Message);
    }

    [Fact]
    public async Task Accrue_InvalidFields_MessageNamesTheReasonAndTheFirstInvalidField()
    {
        var shop = await Exchange.CreatePartnerAsync();

        var error = await RpcAssert.InvalidAsync(() => shop.Points.AccrueAsync(
            new AccrueRequest { IdempotencyKey = "", MemberNumber = "M1", Points = 0, Reason = AccrualReason.Promotion }), "idempotency_key", "points");

        Assert.Matches("^VALIDATION_FAILED: [a-z_]+: .+ \\(and 1 more invalid field\\)$", error.Status.Detail);
    }

    [Fact]
    public async Task ClientException_ShowsTheReasonOnce()
    {
        var shop = await Exchange.CreatePartnerAsync();
        var member = await shop.EnrollAsync();
        var error = await Assert.ThrowsAsync<RpcException>(() => shop.Points.RedeemAsync(
            new RedeemRequest { IdempotencyKey = Guid.NewGuid().ToString("N"), MemberNumber = member, Points = 1 }).ResponseAsync);

        var exception = new PartnerExchangeException(error);

        Assert.Single(System.Text.RegularExpressions.Regex.Matches(exception.Message, "INSUFFICIENT_POINTS"));
        Assert.DoesNotContain("INSUFFICIENT_POINTS", exception.Explanation, StringComparison.Ordinal);
    }
}
