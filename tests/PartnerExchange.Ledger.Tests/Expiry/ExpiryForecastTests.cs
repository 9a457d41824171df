using PartnerExchange.Domain.Expiry;
using PartnerExchange.Ledger.Expiry;
using PartnerExchange.Ledger.Tests.Infrastructure;
using static PartnerExchange.Ledger.Tests.Infrastructure.LedgerHarness;

namespace PartnerExchange.Ledger.Tests.Expiry;

/// <summary>
/// A forecast (the server's dry run, read and never written) says exactly what the real run then does, where what the
/// run expires first changes what it warns about next: dated lots left from a lot lifetime under an inactivity policy.
/// </summary>
public sealed class ExpiryForecastTests : LedgerTest
{
    private DateTimeOffset _start;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _start = Ledger.Now();
    }

    [Fact]
    public async Task Forecast_BalanceLapsedWholeWithALotInAHorizon_ExpiresItAndWarnsNothing()
    {
        // The lot is dated seven months on; the balance lapses after six months of inactivity, lot and all.
        await Ledger.CreatePartnerWithPolicyAsync(Air, new ExpiryPolicy(ExpiryPolicyKind.LotLifetime, 7));
        await Ledger.EnrollAsync(Air, "a1");
        await Ledger.AccrueAsync(Air, "a1", 100);
        await Ledger.SetPolicyAsync(Air, ExpiryLedger.SixMonthsInactive);
        Ledger.SetNow(_start.AddMonths(6).AddDays(1));

        await AssertForecastIsTheRunAsync(new ExpiryBatchResult(100, 1, 0, false));
    }

    [Fact]
    public async Task Forecast_ExpiredLotsTakingTheWholeBalanceOfAnInactivityProgram_WarnsNothing()
    {
        // The lot expires after a month; the balance's inactivity deadline, two months on, falls within a horizon.
        await Ledger.CreatePartnerWithPolicyAsync(Air, new ExpiryPolicy(ExpiryPolicyKind.LotLifetime, 1));
        await Ledger.EnrollAsync(Air, "a1");
        await Ledger.AccrueAsync(Air, "a1", 100);
        await Ledger.SetPolicyAsync(Air, new ExpiryPolicy(ExpiryPolicyKind.Inactivity, 2));
        Ledger.SetNow(_start.AddMonths(1).AddDays(1));

        await AssertForecastIsTheRunAsync(new ExpiryBatchResult(100, 1, 0, false));
    }

    [Fact]
    public async Task Forecast_LotsWithinTheShortHorizonAndBeyondIt_WarnsAtBothHorizons()
    {
        // A 7-day warning covers the first lot at 30 days too; the second lot, 20 days on, still has its 30-day warning.
        await Ledger.CreatePartnerWithPolicyAsync(Air, ExpiryLedger.TwelveMonthLots);
        await Ledger.EnrollAsync(Air, "a1");
        await Ledger.AccrueAsync(Air, "a1", 100);
        Ledger.SetNow(_start.AddDays(15));
        await Ledger.AccrueAsync(Air, "a1", 50);
        Ledger.SetNow(_start.AddMonths(12).AddDays(-5));

        await AssertForecastIsTheRunAsync(new ExpiryBatchResult(0, 0, 2, false));
    }

    [Fact]
    public async Task Forecast_LotsAllWithinTheShortHorizon_WarnsOnce()
    {
        await Ledger.CreatePartnerWithPolicyAsync(Air, ExpiryLedger.TwelveMonthLots);
        await Ledger.EnrollAsync(Air, "a1");
        await Ledger.AccrueAsync(Air, "a1", 100);
        Ledger.SetNow(_start.AddMonths(12).AddDays(-5));

        await AssertForecastIsTheRunAsync(new ExpiryBatchResult(0, 0, 1, false));
    }

    /// <summary>The forecast, the writer's own dry run and then the real run as of now all give <paramref name="expected"/>.</summary>
    private async Task AssertForecastIsTheRunAsync(ExpiryBatchResult expected)
    {
        var forecast = await Ledger.ForecastAsync(Ledger.Now());
        var writersDryRun = await Ledger.ExpireAsync(Ledger.Now(), int.MaxValue, dryRun: true);
        var real = await Ledger.ExpireAsync(Ledger.Now(), int.MaxValue);

        Assert.Equal(expected, forecast);
        Assert.Equal(expected, writersDryRun);
        Assert.Equal(expected, real);
        await Ledger.AssertAuditCleanAsync();
    }
}
