using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace PartnerExchange.Ledger.Storage.Migrations
{
    /// <inheritdoc />
    public partial class Settlement : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "payments",
                columns: table => new
                {
                    payment_id = table.Column<string>(type: "TEXT", nullable: false),
                    statement_id = table.Column<string>(type: "TEXT", nullable: false),
                    amount_minor = table.Column<long>(type: "INTEGER", nullable: false),
                    reference = table.Column<string>(type: "TEXT", nullable: false),
                    created_at_micros = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_payments", x => x.payment_id);
                });

            migrationBuilder.CreateTable(
                name: "settlement_periods",
                columns: table => new
                {
                    period_id = table.Column<string>(type: "TEXT", nullable: false),
                    start_micros = table.Column<long>(type: "INTEGER", nullable: false),
                    end_micros = table.Column<long>(type: "INTEGER", nullable: false),
                    closed_at_micros = table.Column<long>(type: "INTEGER", nullable: false),
                    content_hash = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_settlement_periods", x => x.period_id);
                });

            migrationBuilder.CreateTable(
                name: "statement_lines",
                columns: table => new
                {
                    statement_id = table.Column<string>(type: "TEXT", nullable: false),
                    sequence = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_statement_lines", x => new { x.statement_id, x.sequence });
                });

            migrationBuilder.CreateTable(
                name: "statements",
                columns: table => new
                {
                    statement_id = table.Column<string>(type: "TEXT", nullable: false),
                    period_id = table.Column<string>(type: "TEXT", nullable: false),
                    payer_program_code = table.Column<string>(type: "TEXT", nullable: false),
                    payee_program_code = table.Column<string>(type: "TEXT", nullable: false),
                    currency_code = table.Column<string>(type: "TEXT", nullable: false),
                    line_count = table.Column<int>(type: "INTEGER", nullable: false),
                    destination_points = table.Column<long>(type: "INTEGER", nullable: false),
                    gross_amount_micros = table.Column<long>(type: "INTEGER", nullable: false),
                    gross_amount_minor = table.Column<long>(type: "INTEGER", nullable: false),
                    network_fee_minor = table.Column<long>(type: "INTEGER", nullable: false),
                    amount_due_minor = table.Column<long>(type: "INTEGER", nullable: false),
                    content_hash = table.Column<string>(type: "TEXT", nullable: false),
                    created_at_micros = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_statements", x => x.statement_id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_obligations_created_at_micros",
                table: "obligations",
                column: "created_at_micros");

            migrationBuilder.CreateIndex(
                name: "IX_payments_statement_id_created_at_micros",
                table: "payments",
                columns: new[] { "statement_id", "created_at_micros" });

            migrationBuilder.CreateIndex(
                name: "IX_settlement_periods_start_micros_end_micros",
                table: "settlement_periods",
                columns: new[] { "start_micros", "end_micros" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_statement_lines_sequence",
                table: "statement_lines",
                column: "sequence",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_statements_period_id_payer_program_code_payee_program_code_currency_code",
                table: "statements",
                columns: new[] { "period_id", "payer_program_code", "payee_program_code", "currency_code" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "payments");

            migrationBuilder.DropTable(
                name: "settlement_periods");

            migrationBuilder.DropTable(
                name: "statement_lines");

            migrationBuilder.DropTable(
                name: "statements");

            migrationBuilder.DropIndex(
                name: "IX_obligations_created_at_micros",
                table: "obligations");
        }
    }
}
