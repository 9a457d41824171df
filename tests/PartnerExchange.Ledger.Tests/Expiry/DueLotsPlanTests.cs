using PartnerExchange.Ledger.Engines.Sqlite;
using PartnerExchange.Ledger.Expiry;
using PartnerExchange.Ledger.Tests.Infrastructure;
using static PartnerExchange.Ledger.Tests.Infrastructure.LedgerHarness;

namespace PartnerExchange.Ledger.Tests.Expiry;

/// <summary>
/// The expiry run reads due lots through indexes of dated open lots. Those leave out lots that never expire (so
/// spending them writes nothing to them), and SQLite uses such a partial index only when the query implies its
/// filter: these plans fail if a query stops doing so and falls back to reading every lot.
/// </summary>
public sealed class DueLotsPlanTests : LedgerTest
{
    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await Ledger.CreatePartnerAsync(Air);
        await Ledger.EnrollAsync(Air, "a1");
        await Ledger.AccrueAsync(Air, "a1", 100);
    }

    [Fact]
    public async Task ExpiredLots_ReadsOnlyAnIndexOfDatedLots() =>
        // SQLite walks the dated lots by account here, which the GROUP BY wants; either index of dated lots will do.
        Assert.Contains(await StepsAsync(SqliteExpiryStore.ExpiredLotsSql), step => step.StartsWith("SCAN l USING COVERING INDEX " +
            "IX_point_lots_account_id_expires_at_micros_remaining_points", StringComparison.Ordinal) ||
            step.StartsWith("SEARCH l USING INDEX IX_point_lots_expires_at_micros", StringComparison.Ordinal));

    [Fact]
    public async Task WarnedLots_SearchesTheExpiryIndexByDate() =>
        Assert.Contains(await StepsAsync(SqliteExpiryStore.WarnedLotsSql),
            step => step.Contains("USING INDEX IX_point_lots_expires_at_micros (expires_at_micros>? AND expires_at_micros<?)", StringComparison.Ordinal));

    [Fact]
    public async Task ForecastSlice_SearchesOnlyItsAccountsByIdAndTheirLotsAndWarningsByAccount()
    {
        // A forecast's slice reads its own accounts, lots and warnings, not every member of a program or every dated lot.
        var steps = await StepsAsync(ExpiryForecast.SliceSql);

        Assert.Contains("SEARCH a USING INTEGER PRIMARY KEY (rowid>? AND rowid<?)", steps);
        Assert.Contains(steps, step => step.StartsWith("SEARCH l USING ", StringComparison.Ordinal) && step.EndsWith("(account_id>? AND account_id<?)", StringComparison.Ordinal));
        Assert.Contains(steps, step => step.StartsWith("SEARCH w USING ", StringComparison.Ordinal) && step.EndsWith("(account_id>? AND account_id<?)", StringComparison.Ordinal));
        Assert.DoesNotContain(steps, step => step.StartsWith("SCAN", StringComparison.Ordinal));
    }

    private Task<List<string>> StepsAsync(string sql) => QueryPlans.StepsAsync(Ledger.Database.ConnectionString, sql);
}
