using PartnerExchange.Ledger.Tests.Infrastructure;
using PartnerExchange.Ledger.Engines.Sqlite;
using static PartnerExchange.Ledger.Tests.Infrastructure.LedgerHarness;

namespace PartnerExchange.Ledger.Tests.Expiry;

/// <summary>
/// Every redemption and conversion adds up the member's points past their date. Read through the account's live
/// lots, that cost grew with every lot a member holds (a member converted into all day holds thousands); it must
/// be read from the index of dated lots alone.
/// </summary>
public sealed class ExpiredLotsPlanTests : LedgerTest
{
    [Fact]
    public async Task ExpiredUnposted_OnALedgerWithLots_SearchesTheDatedLotsIndexByAccountAndDate()
    {
        await Ledger.CreatePartnerAsync(Air);
        await Ledger.EnrollAsync(Air, "a1");
        await Ledger.AccrueAsync(Air, "a1", 100);

        var steps = await QueryPlans.StepsAsync(Ledger.Database.ConnectionString, SqliteLotStore.ExpiredUnpostedSql);

        var step = Assert.Single(steps);
        Assert.Contains("IX_point_lots_account_id_expires_at_micros_remaining_points", step, StringComparison.Ordinal);
        Assert.Contains("account_id=? AND expires_at_micros>? AND expires_at_micros<?", step, StringComparison.Ordinal);
    }
}
