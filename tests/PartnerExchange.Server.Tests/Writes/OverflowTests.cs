using Grpc.Core;
using PartnerExchange.Testing;
using PartnerExchange.V1;

namespace PartnerExchange.Server.Tests.Writes;

/// <summary>An exchange whose per-transaction cap is lifted to int64, so balances can be pushed to the edge.</summary>
public sealed class UncappedExchange : IAsyncLifetime
{
    public RunningExchange Exchange { get; } = new();

    public Task InitializeAsync()
    {
        Exchange.Settings["Ledger:MaxPointsPerTransaction"] = long.MaxValue.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Exchange.InitializeAsync();
    }

    public Task DisposeAsync() => Exchange.DisposeAsync();
}

public sealed class OverflowTests(UncappedExchange fixture) : IntegrationTest(fixture.Exchange), IClassFixture<UncappedExchange>
{
    [Fact]
    public async Task Accrue_PastInt64_FailsWithBalanceOverflowAndChangesNothing()
    {
        var shop = await Exchange.CreatePartnerAsync();
        var member = await shop.EnrollAsync();
        await shop.AccrueAsync(member, long.MaxValue);

        await RpcAssert.FailsAsync(StatusCode.FailedPrecondition, "BALANCE_OVERFLOW", () => shop.Points.AccrueAsync(new AccrueRequest
        {
            IdempotencyKey = Guid.NewGuid().ToString("N"),
            MemberNumber = member,
            Points = 1,
            Reason = AccrualReason.Other,
        }));

        Assert.Equal(long.MaxValue, await shop.BalanceAsync(member));
    }

    [Fact]
    public async Task Convert_DestinationBalanceAtInt64_FailsWithBalanceOverflowAndMovesNothing()
    {
        var shop = await Exchange.CreatePartnerAsync();
        var air = await Exchange.CreatePartnerAsync();
        await Exchange.SetRateAsync(shop.ProgramCode, air.ProgramCode, 1, 1);
        var buyer = await shop.EnrollAsync();
        var flyer = await air.EnrollAsync();
        await shop.AccrueAsync(buyer, 1_000);
        await air.AccrueAsync(flyer, long.MaxValue);

        await RpcAssert.FailsAsync(StatusCode.FailedPrecondition, "BALANCE_OVERFLOW", () => shop.Conversions.ConvertAsync(new ConvertRequest
        {
            IdempotencyKey = Guid.NewGuid().ToString("N"),
            SourceMemberNumber = buyer,
            DestinationProgramCode = air.ProgramCode,
            DestinationMemberNumber = flyer,
            SourcePoints = 10,
        }));

        Assert.Equal(1_000, await shop.BalanceAsync(buyer));
        Assert.Equal(long.MaxValue, await air.BalanceAsync(flyer));
    }
}
