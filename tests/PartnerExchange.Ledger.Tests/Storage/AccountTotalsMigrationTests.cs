using PartnerExchange.Ledger.Tests.Infrastructure;

namespace PartnerExchange.Ledger.Tests.Storage;

/// <summary>
/// The migration that gives accounts their totals by kind fills them in for an existing ledger from its postings,
/// so a read after the upgrade shows what the postings add up to.
/// </summary>
public sealed class AccountTotalsMigrationTests : MigrationTest
{
    private const string MigrationBefore = "20261130113537_TransactionsWithoutRequesterIndex";
    private const string MigrationUnderTest = "20261130122756_AccountTotalsByKind";

    [Fact]
    public async Task MigrateAsync_LedgerWithPostings_FillsEachAccountsTotalsByKind()
    {
        using var database = await OlderLedger.CreateAsync(Folder, MigrationBefore,
            "INSERT INTO accounts (id, program_code, kind, member_number, balance_points, created_at_micros, last_sequence, last_activity_micros) " +
            "VALUES (1, 'OLD', 1, 'M1', 75, 1, 3, 1), (2, 'OLD', 2, '', -75, 1, 3, 1), (3, 'OLD', 1, 'M2', 0, 1, 0, 1)",
            "INSERT INTO transactions (sequence, transaction_id, kind, requester_program_code, api_key_id, idempotency_key, request_fingerprint, " +
            "created_at_micros, reference, accrual_reason, fee_points) VALUES " +
            "(1, 'tx1', 1, 'OLD', 'k', 'i1', x'00', 1, '', 0, 0), (2, 'tx2', 2, 'OLD', 'k', 'i2', x'00', 2, '', 0, 0), " +
            "(3, 'tx3', 1, 'OLD', 'k', 'i3', x'00', 3, '', 0, 0)",
            "INSERT INTO postings (sequence, account_id, program_code, account_kind, member_number, amount_points) VALUES " +
            "(1, 1, 'OLD', 1, 'M1', 100), (1, 2, 'OLD', 2, '', -100), (2, 1, 'OLD', 1, 'M1', -30), (2, 2, 'OLD', 2, '', 30), " +
            "(3, 1, 'OLD', 1, 'M1', 5), (3, 2, 'OLD', 2, '', -5)");

        await OlderLedger.MigrateToAsync(database, MigrationUnderTest);

        // Per account: accrual credit/debit, redemption credit/debit, then the other kinds' four pairs, all zero here.
        Assert.Equal(
            ["1: 105 0 0 30 0 0 0 0 0 0 0 0", "2: 0 105 30 0 0 0 0 0 0 0 0 0", "3: 0 0 0 0 0 0 0 0 0 0 0 0"],
            await OlderLedger.ScalarsAsync(database,
                "SELECT id || ': ' || accrual_credit_points || ' ' || accrual_debit_points || ' ' || redemption_credit_points || ' ' || " +
                "redemption_debit_points || ' ' || conversion_credit_points || ' ' || conversion_debit_points || ' ' || " +
                "reversal_credit_points || ' ' || reversal_debit_points || ' ' || expiry_credit_points || ' ' || expiry_debit_points || ' ' || " +
                "adjustment_credit_points || ' ' || adjustment_debit_points FROM accounts ORDER BY id"));
    }
}
