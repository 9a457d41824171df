using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace PartnerExchange.Ledger.Storage.Migrations
{
    /// <inheritdoc />
    public partial class StatementLinesByPeriod : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "first_sequence",
                table: "settlement_periods",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<long>(
                name: "last_sequence",
                table: "settlement_periods",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            // A closed period's span is that of the lines its statements held.
            migrationBuilder.Sql(
                "UPDATE settlement_periods SET " +
                "first_sequence = COALESCE((SELECT MIN(l.sequence) FROM statement_lines l JOIN statements s ON s.statement_id = l.statement_id " +
                "WHERE s.period_id = settlement_periods.period_id), 0), " +
                "last_sequence = COALESCE((SELECT MAX(l.sequence) FROM statement_lines l JOIN statements s ON s.statement_id = l.statement_id " +
                "WHERE s.period_id = settlement_periods.period_id), 0)");

            // From here an obligation is settled when a closed period holds its time. One that a clock stepped back into a
            // closed period before such stamps were refused (1.0.0) was open and is now its period's; `ledger verify`
            // reports its statement. The open totals follow the new rule.
            migrationBuilder.Sql("DELETE FROM open_obligation_totals");
            migrationBuilder.Sql(
                "INSERT INTO open_obligation_totals (program_code, currency_code, open_micros) " +
                "SELECT program_code, currency_code, SUM(open_micros) FROM (" +
                "SELECT o.payer_program_code AS program_code, o.currency_code AS currency_code, ABS(o.amount_micros) AS open_micros " +
                "FROM obligations o WHERE " + NotInAClosedPeriod + " UNION ALL SELECT o.payee_program_code, o.currency_code, " +
                "ABS(o.amount_micros) FROM obligations o WHERE " + NotInAClosedPeriod + ") GROUP BY program_code, currency_code");

            migrationBuilder.DropTable(
                name: "statement_lines");
        }

        private const string NotInAClosedPeriod =
            "NOT EXISTS (SELECT 1 FROM settlement_periods p WHERE o.created_at_micros >= p.start_micros AND o.created_at_micros < p.end_micros)";

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "first_sequence",
                table: "settlement_periods");

            migrationBuilder.DropColumn(
                name: "last_sequence",
                table: "settlement_periods");

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

            migrationBuilder.Sql(
                "INSERT INTO statement_lines (statement_id, sequence) SELECT s.statement_id, o.sequence FROM statements s " +
                "JOIN settlement_periods p ON p.period_id = s.period_id JOIN obligations o ON o.created_at_micros >= p.start_micros " +
                "AND o.created_at_micros < p.end_micros AND o.payer_program_code = s.payer_program_code " +
                "AND o.payee_program_code = s.payee_program_code AND o.currency_code = s.currency_code");

            migrationBuilder.CreateIndex(
                name: "IX_statement_lines_sequence",
                table: "statement_lines",
                column: "sequence",
                unique: true);
        }
    }
}
