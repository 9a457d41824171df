using PartnerExchange.Ledger.Tests.Infrastructure;

namespace PartnerExchange.Ledger.Tests.Storage;

/// <summary>
/// The migration that takes AUTOINCREMENT off postings, lots and lot movements rebuilds those tables by
/// hand: an existing ledger keeps every row, id and index, and new rows carry on from the largest id.
/// </summary>
public sealed class AppendOnlyIdsMigrationTests : MigrationTest
{
    private const string MigrationBefore = "20261130000422_CoveringAccountIndexes";
    private const string MigrationUnderTest = "20261130033952_LeanerLedgerWrites";
    private static readonly string[] AppendOnlyTables = ["postings", "point_lots", "lot_movements"];

    [Fact]
    public async Task MigrateAsync_LedgerWithRows_KeepsRowsIdsAndIndexes()
    {
        using var database = await OlderLedger.CreateAsync(Folder, MigrationBefore,
            "INSERT INTO postings (id, sequence, account_id, program_code, account_kind, member_number, amount_points) VALUES " +
            "(7, 1, 2, 'OLD', 2, '', -100), (8, 1, 1, 'OLD', 1, 'M1', 100)",
            "INSERT INTO point_lots (id, account_id, sequence, earned_at_micros, expires_at_micros, original_points, remaining_points) " +
            "VALUES (5, 1, 1, 10, NULL, 100, 60)",
            "INSERT INTO lot_movements (id, sequence, lot_id, points) VALUES (3, 1, 5, 100), (4, 2, 5, -40)");
        var indexesBefore = await OlderLedger.ScalarsAsync(database, IndexesSql);

        // This migration alone: later ones may add indexes of their own.
        await OlderLedger.MigrateToAsync(database, MigrationUnderTest);

        Assert.Equal(["7|-100", "8|100"], await OlderLedger.ScalarsAsync(database, "SELECT id || '|' || amount_points FROM postings ORDER BY id"));
        Assert.Equal(["5|60"], await OlderLedger.ScalarsAsync(database, "SELECT id || '|' || remaining_points FROM point_lots"));
        Assert.Equal(["3|100", "4|-40"], await OlderLedger.ScalarsAsync(database, "SELECT id || '|' || points FROM lot_movements ORDER BY id"));
        Assert.Equal(indexesBefore, await OlderLedger.ScalarsAsync(database, IndexesSql));
    }

    [Fact]
    public async Task MigrateAsync_LedgerWithRows_TablesLoseAutoincrementAndNewRowsFollowTheLargestId()
    {
        using var database = await OlderLedger.CreateAsync(Folder, MigrationBefore,
            "INSERT INTO lot_movements (id, sequence, lot_id, points) VALUES (41, 1, 5, 100)");

        await database.MigrateAsync(CancellationToken.None);
        await OlderLedger.ExecuteAsync(database, "INSERT INTO lot_movements (sequence, lot_id, points) VALUES (2, 5, -40)");

        Assert.Equal(["41", "42"], await OlderLedger.ScalarsAsync(database, "SELECT id FROM lot_movements ORDER BY id"));
        var definitions = await OlderLedger.ScalarsAsync(database,
            "SELECT name || ':' || (instr(sql, 'AUTOINCREMENT') > 0) FROM sqlite_master " +
            "WHERE type = 'table' AND name IN ('postings', 'point_lots', 'lot_movements', 'events') ORDER BY name");
        // The event cursor keeps AUTOINCREMENT: it must never be handed out twice.
        Assert.Equal(["events:1", "lot_movements:0", "point_lots:0", "postings:0"], definitions);
    }

    private static string IndexesSql =>
        "SELECT tbl_name || ':' || name || ':' || sql FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('" +
        string.Join("', '", AppendOnlyTables) + "') ORDER BY name";
}
