using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace PartnerExchange.Ledger.Storage.Migrations
{
    /// <inheritdoc />
    public partial class FewerIndexesPerCommit : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_point_lots_expires_at_micros",
                table: "point_lots");

            migrationBuilder.DropIndex(
                name: "IX_obligations_payer_program_code_payee_program_code_created_at_micros",
                table: "obligations");

            migrationBuilder.DropIndex(
                name: "IX_events_transaction_id",
                table: "events");

            migrationBuilder.CreateIndex(
                name: "IX_point_lots_expires_at_micros",
                table: "point_lots",
                column: "expires_at_micros",
                filter: "remaining_points > 0 AND expires_at_micros IS NOT NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_point_lots_expires_at_micros",
                table: "point_lots");

            migrationBuilder.CreateIndex(
                name: "IX_point_lots_expires_at_micros",
                table: "point_lots",
                column: "expires_at_micros",
                filter: "remaining_points > 0");

            migrationBuilder.CreateIndex(
                name: "IX_obligations_payer_program_code_payee_program_code_created_at_micros",
                table: "obligations",
                columns: new[] { "payer_program_code", "payee_program_code", "created_at_micros" });

            migrationBuilder.CreateIndex(
                name: "IX_events_transaction_id",
                table: "events",
                column: "transaction_id");
        }
    }
}
