using PartnerExchange.Ledger.Tests.Infrastructure;

namespace PartnerExchange.Ledger.Tests.Storage;

/// <summary>
/// The migration that gives the writer its open obligation totals fills them in for an existing ledger: each
/// partner's obligations in no statement, on both sides, in absolute value.
/// </summary>
public sealed class OpenObligationTotalsMigrationTests : MigrationTest
{
    private const string MigrationBefore = "20261130134804_FewerIndexesPerCommit";
    private const string MigrationUnderTest = "20261207220000_OpenObligationTotals";

    [Fact]
    public async Task MigrateAsync_LedgerWithSettledAndOpenObligations_TotalsTheOpenOnes()
    {
        using var database = await OlderLedger.CreateAsync(Folder, MigrationBefore,
            "INSERT INTO obligations (sequence, payer_program_code, payee_program_code, destination_points, point_price_micros, currency_code, " +
            "amount_micros, amount_minor, created_at_micros) VALUES (1, 'SHOP', 'AIR', 10, 100, 'USD', 1000, 0, 1), " +
            "(2, 'SHOP', 'AIR', 20, 100, 'USD', 2000, 0, 2), (3, 'SHOP', 'AIR', -20, 100, 'USD', -2000, 0, 3), " +
            "(4, 'AIR', 'SHOP', 5, 7, 'EUR', 35, 0, 4)",
            "INSERT INTO settlement_periods (period_id, start_micros, end_micros, closed_at_micros, content_hash) VALUES ('p', 0, 2, 2, 'h')",
            "INSERT INTO statements (statement_id, period_id, payer_program_code, payee_program_code, currency_code, line_count, " +
            "destination_points, gross_amount_micros, gross_amount_minor, network_fee_minor, amount_due_minor, content_hash, created_at_micros) " +
            "VALUES ('s', 'p', 'SHOP', 'AIR', 'USD', 1, 10, 1000, 0, 0, 0, 'h', 2)",
            "INSERT INTO statement_lines (statement_id, sequence) VALUES ('s', 1)");

        await OlderLedger.MigrateToAsync(database, MigrationUnderTest);

        Assert.Equal(
            ["AIR EUR 35", "AIR USD 4000", "SHOP EUR 35", "SHOP USD 4000"],
            await OlderLedger.ScalarsAsync(database,
                "SELECT program_code || ' ' || currency_code || ' ' || open_micros FROM open_obligation_totals ORDER BY program_code, currency_code"));
    }
}
