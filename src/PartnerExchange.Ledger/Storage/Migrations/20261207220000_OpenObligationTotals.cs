using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace PartnerExchange.Ledger.Storage.Migrations
{
    /// <inheritdoc />
    public partial class OpenObligationTotals : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "open_obligation_totals",
                columns: table => new
                {
                    program_code = table.Column<string>(type: "TEXT", nullable: false),
                    currency_code = table.Column<string>(type: "TEXT", nullable: false),
                    open_micros = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_open_obligation_totals", x => new { x.program_code, x.currency_code });
                });

            // The totals of a ledger written before them: every obligation in no statement, on both of its sides.
            migrationBuilder.Sql(
                "INSERT INTO open_obligation_totals (program_code, currency_code, open_micros) " +
                "SELECT program_code, currency_code, SUM(open_micros) FROM (" +
                "SELECT o.payer_program_code AS program_code, o.currency_code AS currency_code, ABS(o.amount_micros) AS open_micros " +
                "FROM obligations o WHERE NOT EXISTS (SELECT 1 FROM statement_lines l WHERE l.sequence = o.sequence) " +
                "UNION ALL SELECT o.payee_program_code, o.currency_code, ABS(o.amount_micros) " +
                "FROM obligations o WHERE NOT EXISTS (SELECT 1 FROM statement_lines l WHERE l.sequence = o.sequence)) " +
                "GROUP BY program_code, currency_code");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "open_obligation_totals");
        }
    }
}
