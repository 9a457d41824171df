using Microsoft.Data.Sqlite;
using PartnerExchange.Ledger.Reading;
using PartnerExchange.Ledger.Tests.Infrastructure;

namespace PartnerExchange.Ledger.Tests.Expiry;

/// <summary>
/// A ledger from before lots upgrades with its balances as lots, its history as events, and each member's
/// last activity carried over for the inactivity policy by the same rule the writer applies from then on:
/// accruals, redemptions and conversions count, reversals do not.
/// </summary>
public sealed class LotMigrationTests : MigrationTest
{
    private const string OldPartner =
        "INSERT INTO partners (program_code, display_name, program_name, kind, status, settlement_currency, point_price_micros, " +
        "created_at_micros, updated_at_micros) VALUES ('OLD', 'Old', 'Old Points', 3, 1, 'USD', 10000, 1, 1);";

    [Fact]
    public async Task MigrateAsync_MemberWhoEarnedAndSpent_BalanceBecomesALotAndHistoryBecomesEvents()
    {
        // Under the old schema: accrued 100 at 10, redeemed 30 at 20.
        using var database = await LedgerBeforeLotsAsync(
            OldPartner,
            "INSERT INTO accounts (id, program_code, kind, member_number, balance_points, created_at_micros, last_sequence) VALUES " +
            "(1, 'OLD', 1, 'M1', 70, 5, 2), (2, 'OLD', 2, '', -100, 5, 1), (3, 'OLD', 3, '', 30, 5, 2);",
            "INSERT INTO transactions (sequence, transaction_id, kind, requester_program_code, api_key_id, idempotency_key, " +
            "request_fingerprint, created_at_micros, reference, accrual_reason, fee_points) VALUES " +
            "(1, 'tx_1', 1, 'OLD', 'k', 'a', x'00', 10, '', 1, 0), (2, 'tx_2', 2, 'OLD', 'k', 'b', x'00', 20, '', 0, 0);",
            "INSERT INTO postings (sequence, account_id, program_code, account_kind, member_number, amount_points) VALUES " +
            "(1, 2, 'OLD', 2, '', -100), (1, 1, 'OLD', 1, 'M1', 100), (2, 1, 'OLD', 1, 'M1', -30), (2, 3, 'OLD', 3, '', 30);");

        await database.MigrateAsync(CancellationToken.None);

        Assert.Equal([(70L, 70L)], await RowsAsync(database, "SELECT original_points, remaining_points FROM point_lots WHERE account_id = 1"));
        Assert.Equal([(100L, 100L), (-30L, 70L)], await RowsAsync(database, "SELECT points, balance_points FROM events ORDER BY cursor"));
        var verification = await new LedgerAudit(database).VerifyAsync(CancellationToken.None);
        Assert.True(verification.Ok, string.Join("; ", verification.Findings));
    }

    [Fact]
    public async Task MigrateAsync_MemberWhoseLastTransactionWasAReversal_LastActivityIsTheRedemptionBeforeIt()
    {
        // Under the old schema: accrued 100 at 10, redeemed 30 at 20, and that redemption was reversed at 30.
        using var database = await LedgerBeforeLotsAsync(
            OldPartner,
            "INSERT INTO accounts (id, program_code, kind, member_number, balance_points, created_at_micros, last_sequence) VALUES " +
            "(1, 'OLD', 1, 'M1', 100, 5, 3), (2, 'OLD', 2, '', -100, 5, 1), (3, 'OLD', 3, '', 0, 5, 3);",
            "INSERT INTO transactions (sequence, transaction_id, kind, requester_program_code, api_key_id, idempotency_key, " +
            "request_fingerprint, created_at_micros, reference, accrual_reason, fee_points, reverses_sequence, reverses_transaction_id) VALUES " +
            "(1, 'tx_1', 1, 'OLD', 'k', 'a', x'00', 10, '', 1, 0, NULL, NULL), (2, 'tx_2', 2, 'OLD', 'k', 'b', x'00', 20, '', 0, 0, NULL, NULL), " +
            "(3, 'tx_3', 4, 'OLD', 'k', 'c', x'00', 30, '', 0, 0, 2, 'tx_2');",
            "INSERT INTO postings (sequence, account_id, program_code, account_kind, member_number, amount_points) VALUES " +
            "(1, 2, 'OLD', 2, '', -100), (1, 1, 'OLD', 1, 'M1', 100), (2, 1, 'OLD', 1, 'M1', -30), (2, 3, 'OLD', 3, '', 30), " +
            "(3, 1, 'OLD', 1, 'M1', 30), (3, 3, 'OLD', 3, '', -30);");

        await database.MigrateAsync(CancellationToken.None);

        Assert.Equal([(20L, 0L)], await RowsAsync(database, "SELECT last_activity_micros, 0 FROM accounts WHERE id = 1"));
    }

    /// <summary>A ledger at the last migration before lots, holding the rows the statements insert.</summary>
    private Task<LedgerDatabase> LedgerBeforeLotsAsync(params string[] statements) =>
        OlderLedger.CreateAsync(Folder, "20261123200302_Settlement", statements);

    private static async Task<List<(long, long)>> RowsAsync(LedgerDatabase database, string sql)
    {
        await using var connection = new SqliteConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<(long, long)>();
        while (await reader.ReadAsync())
        {
            rows.Add((reader.GetInt64(0), reader.GetInt64(1)));
        }
        return rows;
    }
}
