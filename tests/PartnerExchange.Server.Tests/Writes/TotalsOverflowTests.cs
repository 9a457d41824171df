using Grpc.Core;
using PartnerExchange.Testing;
using PartnerExchange.V1;

namespace PartnerExchange.Server.Tests.Writes;

/// <summary>
/// Accounts keep lifetime totals by kind of transaction beside their balance; a total can pass int64 while every
/// balance still fits (a system account's), which is an ordinary BALANCE_OVERFLOW, never an INTERNAL error.
/// </summary>
public sealed class TotalsOverflowTests(UncappedExchange fixture) : IntegrationTest(fixture.Exchange), IClassFixture<UncappedExchange>
{
    [Fact]
    public async Task Accrue_IssuanceAccrualTotalPastInt64_FailsWithBalanceOverflowAndChangesNothing()
    {
        var shop = await Exchange.CreatePartnerAsync();
        var first = await shop.EnrollAsync();
        var second = await shop.EnrollAsync();
        // The issuance account is now at -(2^63 - 1) and has issued 2^63 - 1 by accrual; one more point fits its
        // balance (exactly long.MinValue) but not its accrual total.
        await shop.AccrueAsync(first, long.MaxValue);

        await RpcAssert.FailsAsync(StatusCode.FailedPrecondition, "BALANCE_OVERFLOW", () => shop.Points.AccrueAsync(new AccrueRequest
        {
            IdempotencyKey = Guid.NewGuid().ToString("N"),
            MemberNumber = second,
            Points = 1,
            Reason = AccrualReason.Other,
        }));

        Assert.Equal(0, await shop.BalanceAsync(second));
        Assert.Equal(long.MaxValue, await shop.BalanceAsync(first));
    }
}
