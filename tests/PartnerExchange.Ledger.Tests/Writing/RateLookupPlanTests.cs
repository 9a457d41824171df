using PartnerExchange.Domain.Rates;
using PartnerExchange.Ledger.Tests.Infrastructure;
using PartnerExchange.Ledger.Engines.Sqlite;
using static PartnerExchange.Ledger.Tests.Infrastructure.LedgerHarness;

namespace PartnerExchange.Ledger.Tests.Writing;

/// <summary>
/// Every conversion (and every quote) looks up the rate in effect. Sorted by hand, that lookup would open a
/// temporary B-tree each time; the index must hand the row over in order.
/// </summary>
public sealed class RateLookupPlanTests : LedgerTest
{
    [Fact]
    public async Task RateInEffect_OnALedgerWithRates_ReadsTheIndexWithoutATemporarySort()
    {
        await Ledger.CreatePartnerAsync(Air);
        await Ledger.CreatePartnerAsync(Shop);
        await Ledger.SetRateAsync(Shop, Air, new ExchangeRateTerms(1, 1, 1, 1_000_000, 1, 0, 0, null, null));
        var steps = await QueryPlans.StepsAsync(Ledger.Database.ConnectionString, SqliteRateStore.RateInEffectSql);

        Assert.DoesNotContain(steps, step => step.Contains("TEMP B-TREE", StringComparison.Ordinal));
        Assert.Contains(steps, step => step.Contains("effective_at_micros<?", StringComparison.Ordinal));
    }
}
