using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using PartnerExchange.Testing;
using PartnerExchange.V1;

namespace PartnerExchange.Server.Tests.Validation;

/// <summary>
/// Times in requests lie in [1970-01-01, 9000-01-01): a time outside is bad input on its field, and a time inside
/// never makes the exchange fail (every sum it goes into stays within what .NET holds).
/// </summary>
public sealed class TimeRangeTests(RunningExchange exchange) : IntegrationTest(exchange), IClassFixture<RunningExchange>
{
    private static readonly Timestamp LastAccepted = new() { Seconds = new DateTimeOffset(9000, 1, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds() - 1, Nanos = 999_999_999 };

    [Fact]
    public async Task Rejects_DryRunExpiryAsOfYear9999()
    {
        var shop = await ShopWithPointsAsync();

        await RpcAssert.InvalidAsync(() => Exchange.Admin().RunExpiryAsync(DryRun(shop, At(9999, 12, 5))), "as_of_time");
    }

    [Fact]
    public async Task RunExpiry_DryRunAsOfTheLastAcceptedTime_Answers()
    {
        var shop = await ShopWithPointsAsync();

        var preview = await Exchange.Admin().RunExpiryAsync(DryRun(shop, LastAccepted));

        Assert.True(preview.DryRun);
    }

    [Fact]
    public async Task Rejects_PeriodEndingInYear9999()
    {
        var request = Period(new Timestamp { Seconds = At(9999, 12, 31).Seconds + 86_399, Nanos = 999_999_001 });

        await RpcAssert.InvalidAsync(() => SettlementClients.Operator(Exchange).ClosePeriodAsync(request), "end_time");
    }

    [Fact]
    public async Task ClosePeriod_EndingAtTheLastAcceptedTime_IsNotEndedYet()
    {
        await RpcAssert.FailsAsync(StatusCode.FailedPrecondition, "PERIOD_NOT_ENDED",
            () => SettlementClients.Operator(Exchange).ClosePeriodAsync(Period(LastAccepted)));
    }

    [Fact]
    public async Task Rejects_TransactionsListedFromBefore1970()
    {
        var shop = await ShopWithPointsAsync();
        var member = await shop.EnrollAsync();

        await RpcAssert.InvalidAsync(() => shop.Points.ListTransactionsAsync(new ListTransactionsRequest
        {
            MemberNumber = member,
            StartTime = new Timestamp { Seconds = -1 },
        }), "start_time");
    }

    private async Task<TestPartner> ShopWithPointsAsync()
    {
        var shop = await Exchange.CreatePartnerAsync();
        await shop.AccrueAsync(await shop.EnrollAsync(), 100);
        return shop;
    }

    private static RunExpiryRequest DryRun(TestPartner shop, Timestamp asOf) =>
        new() { IdempotencyKey = Guid.NewGuid().ToString("N"), ProgramCode = shop.ProgramCode, AsOfTime = asOf, DryRun = true };

    private static ClosePeriodRequest Period(Timestamp end) =>
        new() { IdempotencyKey = Guid.NewGuid().ToString("N"), StartTime = At(2020, 1, 1), EndTime = end };

    private static Timestamp At(int year, int month, int day) =>
        Timestamp.FromDateTimeOffset(new DateTimeOffset(year, month, day, 0, 0, 0, TimeSpan.Zero));
}
