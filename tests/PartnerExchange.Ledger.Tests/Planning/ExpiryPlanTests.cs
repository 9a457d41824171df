using PartnerExchange.Domain.Expiry;
using PartnerExchange.Ledger.Expiry;
using PartnerExchange.Ledger.Planning;
using PartnerExchange.Ledger.Stores;
using PartnerExchange.Ledger.Writing;

namespace PartnerExchange.Ledger.Tests.Planning;

/// <summary>The expiry batch's plan alone, over plain values: no database.</summary>
public sealed class ExpiryPlanTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);
    private static readonly ExpiryPolicy SixMonths = new(ExpiryPolicyKind.Inactivity, 6);

    [Fact]
    public void DueExpiries_AccountWithLapsedBalanceAndExpiredLots_ExpiresTheWholeBalanceOnce()
    {
        List<DueExpiry> lapsed = [new(5, "AIR", "m5", 300, WholeBalance: true)];
        List<DueExpiry> lots = [new(2, "SHOP", "s2", 10, WholeBalance: false), new(5, "AIR", "m5", 40, WholeBalance: false)];

        var due = ExpiryPlan.DueExpiries(lapsed, lots, limit: 10);

        Assert.Equal([new(2, "SHOP", "s2", 10, false), new DueExpiry(5, "AIR", "m5", 300, true)], due);
    }

    [Fact]
    public void DueExpiries_MoreThanTheBudget_TakesTheLowestAccountIdsFirst()
    {
        List<DueExpiry> lapsed = [new(9, "AIR", "m9", 1, true)];
        List<DueExpiry> lots = [new(4, "SHOP", "s4", 1, false), new(1, "SHOP", "s1", 1, false)];

        var due = ExpiryPlan.DueExpiries(lapsed, lots, limit: 2);

        Assert.Equal([1L, 4L], due.Select(d => d.AccountId));
    }

    [Fact]
    public void LapsedByMicros_PolicyYoungerThanItsPeriod_NothingCanHaveLapsed() =>
        Assert.Null(ExpiryPlan.LapsedByMicros(new InactivityProgram("AIR", SixMonths, Now.AddMonths(-5).ToUnixMicros()), Now));

    [Fact]
    public void LapsedByMicros_OldPolicy_LapsedByActivityPeriodAgo() =>
        Assert.Equal(Now.AddMonths(-6).ToUnixMicros(),
            ExpiryPlan.LapsedByMicros(new InactivityProgram("AIR", SixMonths, Now.AddYears(-1).ToUnixMicros()), Now));

    [Fact]
    public void InactivityWarning_BalanceClock_WarnsOfTheDeadlineFromTheClockStart()
    {
        var clockStart = Now.AddMonths(-5);
        var program = new InactivityProgram("AIR", SixMonths, Now.AddYears(-1).ToUnixMicros());

        var warning = ExpiryPlan.InactivityWarning(program, new InactiveBalance(8, "m8", 120, clockStart.ToUnixMicros()), days: 30);

        Assert.Equal(new DueWarning(8, "AIR", "m8", 30, 120, clockStart.AddMonths(6).ToUnixMicros(), clockStart.ToUnixMicros()), warning);
    }

    [Fact]
    public void WarningHorizons_DaysInAnyOrder_ShortestFirstEachCoveringTheLongerOnes()
    {
        var horizons = ExpiryPlan.WarningHorizons(Now, Now, [30, 7, 30]);

        Assert.Equal([7, 30], horizons.Select(h => h.Horizon.Days));
        Assert.Equal([7, 30], horizons[0].CoveredDays);
        Assert.Equal([30], horizons[1].CoveredDays);
        Assert.Equal(Now.AddDays(7), horizons[0].Horizon.Until);
    }

    [Fact]
    public void WarningHorizons_CatchUpRunAsOfThePast_AnnouncesNothingBeforeNow()
    {
        var horizons = ExpiryPlan.WarningHorizons(Now.AddDays(-3), Now, [7]);

        Assert.Equal(Now, horizons[0].Horizon.From);
        Assert.Equal(Now.AddDays(4), horizons[0].Horizon.Until);
    }
}
