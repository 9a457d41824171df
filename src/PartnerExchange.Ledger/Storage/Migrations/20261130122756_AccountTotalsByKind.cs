using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace PartnerExchange.Ledger.Storage.Migrations
{
    /// <inheritdoc />
    public partial class AccountTotalsByKind : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "accrual_credit_points",
                table: "accounts",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<long>(
                name: "accrual_debit_points",
                table: "accounts",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<long>(
                name: "adjustment_credit_points",
                table: "accounts",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<long>(
                name: "adjustment_debit_points",
                table: "accounts",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<long>(
                name: "conversion_credit_points",
                table: "accounts",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<long>(
                name: "conversion_debit_points",
                table: "accounts",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<long>(
                name: "expiry_credit_points",
                table: "accounts",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<long>(
                name: "expiry_debit_points",
                table: "accounts",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<long>(
                name: "redemption_credit_points",
                table: "accounts",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<long>(
                name: "redemption_debit_points",
                table: "accounts",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<long>(
                name: "reversal_credit_points",
                table: "accounts",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<long>(
                name: "reversal_debit_points",
                table: "accounts",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            // Every existing account's totals from its postings, in one pass over them. Kinds are the stored values of
            // TransactionKind (1 accrual … 6 adjustment), written out so this migration stays as it ran.
            migrationBuilder.Sql("""
                UPDATE accounts SET
                    accrual_credit_points = x.accrual_credit, accrual_debit_points = x.accrual_debit,
                    redemption_credit_points = x.redemption_credit, redemption_debit_points = x.redemption_debit,
                    conversion_credit_points = x.conversion_credit, conversion_debit_points = x.conversion_debit,
                    reversal_credit_points = x.reversal_credit, reversal_debit_points = x.reversal_debit,
                    expiry_credit_points = x.expiry_credit, expiry_debit_points = x.expiry_debit,
                    adjustment_credit_points = x.adjustment_credit, adjustment_debit_points = x.adjustment_debit
                FROM (SELECT p.account_id AS id,
                    SUM(CASE WHEN t.kind = 1 AND p.amount_points > 0 THEN p.amount_points ELSE 0 END) AS accrual_credit, SUM(CASE WHEN t.kind = 1 AND p.amount_points < 0 THEN -p.amount_points ELSE 0 END) AS accrual_debit,
                    SUM(CASE WHEN t.kind = 2 AND p.amount_points > 0 THEN p.amount_points ELSE 0 END) AS redemption_credit, SUM(CASE WHEN t.kind = 2 AND p.amount_points < 0 THEN -p.amount_points ELSE 0 END) AS redemption_debit,
                    SUM(CASE WHEN t.kind = 3 AND p.amount_points > 0 THEN p.amount_points ELSE 0 END) AS conversion_credit, SUM(CASE WHEN t.kind = 3 AND p.amount_points < 0 THEN -p.amount_points ELSE 0 END) AS conversion_debit,
                    SUM(CASE WHEN t.kind = 4 AND p.amount_points > 0 THEN p.amount_points ELSE 0 END) AS reversal_credit, SUM(CASE WHEN t.kind = 4 AND p.amount_points < 0 THEN -p.amount_points ELSE 0 END) AS reversal_debit,
                    SUM(CASE WHEN t.kind = 5 AND p.amount_points > 0 THEN p.amount_points ELSE 0 END) AS expiry_credit, SUM(CASE WHEN t.kind = 5 AND p.amount_points < 0 THEN -p.amount_points ELSE 0 END) AS expiry_debit,
                    SUM(CASE WHEN t.kind = 6 AND p.amount_points > 0 THEN p.amount_points ELSE 0 END) AS adjustment_credit, SUM(CASE WHEN t.kind = 6 AND p.amount_points < 0 THEN -p.amount_points ELSE 0 END) AS adjustment_debit
                    FROM postings p JOIN transactions t ON t.sequence = p.sequence GROUP BY p.account_id) AS x
                WHERE accounts.id = x.id;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "accrual_credit_points",
                table: "accounts");

            migrationBuilder.DropColumn(
                name: "accrual_debit_points",
                table: "accounts");

            migrationBuilder.DropColumn(
                name: "adjustment_credit_points",
                table: "accounts");

            migrationBuilder.DropColumn(
                name: "adjustment_debit_points",
                table: "accounts");

            migrationBuilder.DropColumn(
                name: "conversion_credit_points",
                table: "accounts");

            migrationBuilder.DropColumn(
                name: "conversion_debit_points",
                table: "accounts");

            migrationBuilder.DropColumn(
                name: "expiry_credit_points",
                table: "accounts");

            migrationBuilder.DropColumn(
                name: "expiry_debit_points",
                table: "accounts");

            migrationBuilder.DropColumn(
                name: "redemption_credit_points",
                table: "accounts");

            migrationBuilder.DropColumn(
                name: "redemption_debit_points",
                table: "accounts");

            migrationBuilder.DropColumn(
                name: "reversal_credit_points",
                table: "accounts");

            migrationBuilder.DropColumn(
                name: "reversal_debit_points",
                table: "accounts");
        }
    }
}
