using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace PartnerExchange.Ledger.Storage.Migrations
{
    /// <inheritdoc />
    public partial class ExpiryAndEvents : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "expiry_months",
                table: "partners",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<int>(
                name: "expiry_policy",
                table: "partners",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<long>(
                name: "last_activity_micros",
                table: "accounts",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.CreateTable(
                name: "events",
                columns: table => new
                {
                    cursor = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    program_code = table.Column<string>(type: "TEXT", nullable: false),
                    kind = table.Column<int>(type: "INTEGER", nullable: false),
                    occurred_at_micros = table.Column<long>(type: "INTEGER", nullable: false),
                    member_number = table.Column<string>(type: "TEXT", nullable: false),
                    points = table.Column<long>(type: "INTEGER", nullable: false),
                    balance_points = table.Column<long>(type: "INTEGER", nullable: false),
                    transaction_id = table.Column<string>(type: "TEXT", nullable: true),
                    reverses_transaction_id = table.Column<string>(type: "TEXT", nullable: true),
                    counterparty_program_code = table.Column<string>(type: "TEXT", nullable: true),
                    expires_at_micros = table.Column<long>(type: "INTEGER", nullable: true),
                    warning_days = table.Column<int>(type: "INTEGER", nullable: false),
                    from_program_code = table.Column<string>(type: "TEXT", nullable: true),
                    to_program_code = table.Column<string>(type: "TEXT", nullable: true),
                    rate_version = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_events", x => x.cursor);
                });

            migrationBuilder.CreateTable(
                name: "expiry_warnings",
                columns: table => new
                {
                    account_id = table.Column<long>(type: "INTEGER", nullable: false),
                    lot_id = table.Column<long>(type: "INTEGER", nullable: false),
                    horizon_days = table.Column<int>(type: "INTEGER", nullable: false),
                    basis_micros = table.Column<long>(type: "INTEGER", nullable: false),
                    issued_at_micros = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_expiry_warnings", x => new { x.account_id, x.lot_id, x.horizon_days, x.basis_micros });
                });

            migrationBuilder.CreateTable(
                name: "lot_movements",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    sequence = table.Column<long>(type: "INTEGER", nullable: false),
                    lot_id = table.Column<long>(type: "INTEGER", nullable: false),
                    points = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_lot_movements", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "point_lots",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    account_id = table.Column<long>(type: "INTEGER", nullable: false),
                    sequence = table.Column<long>(type: "INTEGER", nullable: false),
                    earned_at_micros = table.Column<long>(type: "INTEGER", nullable: false),
                    expires_at_micros = table.Column<long>(type: "INTEGER", nullable: true),
                    original_points = table.Column<long>(type: "INTEGER", nullable: false),
                    remaining_points = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_point_lots", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_events_program_code_cursor",
                table: "events",
                columns: new[] { "program_code", "cursor" });

            migrationBuilder.CreateIndex(
                name: "IX_events_transaction_id",
                table: "events",
                column: "transaction_id");

            migrationBuilder.CreateIndex(
                name: "IX_lot_movements_lot_id",
                table: "lot_movements",
                column: "lot_id");

            migrationBuilder.CreateIndex(
                name: "IX_lot_movements_sequence",
                table: "lot_movements",
                column: "sequence");

            migrationBuilder.CreateIndex(
                name: "IX_point_lots_account_id_id",
                table: "point_lots",
                columns: new[] { "account_id", "id" },
                filter: "remaining_points > 0");

            migrationBuilder.CreateIndex(
                name: "IX_point_lots_expires_at_micros",
                table: "point_lots",
                column: "expires_at_micros",
                filter: "remaining_points > 0");

            migrationBuilder.CreateIndex(
                name: "IX_point_lots_sequence",
                table: "point_lots",
                column: "sequence");

            // Balances from before lots existed become one lot each, with no expiry date, so an account's
            // open lots always add up to its balance; their last activity is their last accrual, redemption or
            // conversion (reversals are not activity).
            migrationBuilder.Sql(
                "INSERT INTO point_lots (account_id, sequence, earned_at_micros, expires_at_micros, original_points, remaining_points) " +
                "SELECT id, 0, created_at_micros, NULL, balance_points, balance_points FROM accounts WHERE kind = 1 AND balance_points > 0;");
            migrationBuilder.Sql(
                "UPDATE accounts SET last_activity_micros = COALESCE((SELECT MAX(t.created_at_micros) FROM postings p " +
                "JOIN transactions t ON t.sequence = p.sequence WHERE p.account_id = accounts.id AND t.kind IN (1, 2, 3)), created_at_micros);");
            // Earlier movements join the event feed in ledger order, each with the balance it left.
            migrationBuilder.Sql(
                "INSERT INTO events (program_code, kind, occurred_at_micros, member_number, points, balance_points, transaction_id, " +
                "reverses_transaction_id, counterparty_program_code, warning_days, rate_version) " +
                "SELECT p.program_code, CASE t.kind WHEN 1 THEN 1 WHEN 2 THEN 2 WHEN 3 THEN CASE WHEN p.program_code = t.requester_program_code " +
                "THEN 3 ELSE 4 END WHEN 4 THEN 5 WHEN 5 THEN 6 END, t.created_at_micros, p.member_number, p.amount_points, " +
                "SUM(p.amount_points) OVER (PARTITION BY p.account_id ORDER BY p.sequence, p.id), t.transaction_id, t.reverses_transaction_id, " +
                "CASE WHEN t.counterparty_program_code IS NULL THEN NULL WHEN p.program_code = t.requester_program_code " +
                "THEN t.counterparty_program_code ELSE t.requester_program_code END, 0, COALESCE(t.rate_version, 0) " +
                "FROM postings p JOIN transactions t ON t.sequence = p.sequence WHERE p.account_kind = 1 AND t.kind IN (1, 2, 3, 4, 5) " +
                "ORDER BY p.sequence, p.id;");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "events");

            migrationBuilder.DropTable(
                name: "expiry_warnings");

            migrationBuilder.DropTable(
                name: "lot_movements");

            migrationBuilder.DropTable(
                name: "point_lots");

            migrationBuilder.DropColumn(
                name: "expiry_months",
                table: "partners");

            migrationBuilder.DropColumn(
                name: "expiry_policy",
                table: "partners");

            migrationBuilder.DropColumn(
                name: "last_activity_micros",
                table: "accounts");
        }
    }
}
