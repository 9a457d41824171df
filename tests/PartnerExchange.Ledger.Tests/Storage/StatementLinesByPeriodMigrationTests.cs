using PartnerExchange.Ledger.Tests.Infrastructure;

namespace PartnerExchange.Ledger.Tests.Storage;

/// <summary>
/// The migration that stops storing statement lines keeps what they said: each closed period gets the sequence span
/// of its statements' lines, and the open obligation totals become those of the obligations in no closed period.
/// </summary>
public sealed class StatementLinesByPeriodMigrationTests : MigrationTest
{
    private const string MigrationBefore = "20261207220000_OpenObligationTotals";
    private const string MigrationUnderTest = "20261207233010_StatementLinesByPeriod";

    [Fact]
    public async Task MigrateAsync_LedgerWithStatementLines_KeepsEachPeriodsSpanAndTheOpenTotals()
    {
        using var database = await OlderLedger.CreateAsync(Folder, MigrationBefore,
            "INSERT INTO obligations (sequence, payer_program_code, payee_program_code, destination_points, point_price_micros, currency_code, " +
            "amount_micros, amount_minor, created_at_micros) VALUES (1, 'SHOP', 'AIR', 10, 100, 'USD', 1000, 0, 1), " +
            "(2, 'AIR', 'SHOP', 5, 7, 'EUR', 35, 0, 2), (3, 'SHOP', 'AIR', 20, 100, 'USD', 2000, 0, 3), (4, 'SHOP', 'AIR', -20, 100, 'USD', -2000, 0, 4), " +
            // Stamped into p after it closed by a clock stepped back (possible before 1.1.0): open then, p's now.
            "(5, 'SHOP', 'AIR', 1, 100, 'USD', 100, 0, 1)",
            "INSERT INTO settlement_periods (period_id, start_micros, end_micros, closed_at_micros, content_hash) VALUES ('p', 0, 3, 3, 'h'), " +
            "('empty', 10, 20, 20, 'h')",
            "INSERT INTO statements (statement_id, period_id, payer_program_code, payee_program_code, currency_code, line_count, " +
            "destination_points, gross_amount_micros, gross_amount_minor, network_fee_minor, amount_due_minor, content_hash, created_at_micros) " +
            "VALUES ('s1', 'p', 'SHOP', 'AIR', 'USD', 1, 10, 1000, 0, 0, 0, 'h', 3), ('s2', 'p', 'AIR', 'SHOP', 'EUR', 1, 5, 35, 0, 0, 0, 'h', 3)",
            "INSERT INTO statement_lines (statement_id, sequence) VALUES ('s1', 1), ('s2', 2)",
            "INSERT INTO open_obligation_totals (program_code, currency_code, open_micros) VALUES ('SHOP', 'USD', 4100), ('AIR', 'USD', 4100)");

        await OlderLedger.MigrateToAsync(database, MigrationUnderTest);

        Assert.Equal(["empty 0-0", "p 1-2"], await OlderLedger.ScalarsAsync(database,
            "SELECT period_id || ' ' || first_sequence || '-' || last_sequence FROM settlement_periods ORDER BY period_id"));
        Assert.Equal(["AIR USD 4000", "SHOP USD 4000"], await OlderLedger.ScalarsAsync(database,
            "SELECT program_code || ' ' || currency_code || ' ' || open_micros FROM open_obligation_totals ORDER BY program_code, currency_code"));
        Assert.Empty(await OlderLedger.ScalarsAsync(database, "SELECT name FROM sqlite_master WHERE name = 'statement_lines'"));
    }
}
