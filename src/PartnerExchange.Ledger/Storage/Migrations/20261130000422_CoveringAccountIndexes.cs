using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace PartnerExchange.Ledger.Storage.Migrations
{
    /// <inheritdoc />
    public partial class CoveringAccountIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_postings_account_id_sequence",
                table: "postings");

            migrationBuilder.DropIndex(
                name: "IX_point_lots_account_id_id",
                table: "point_lots");

            migrationBuilder.CreateIndex(
                name: "IX_postings_account_id_sequence_amount_points",
                table: "postings",
                columns: new[] { "account_id", "sequence", "amount_points" });

            migrationBuilder.CreateIndex(
                name: "IX_point_lots_account_id_id_expires_at_micros_remaining_points",
                table: "point_lots",
                columns: new[] { "account_id", "id", "expires_at_micros", "remaining_points" },
                filter: "remaining_points > 0");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_postings_account_id_sequence_amount_points",
                table: "postings");

            migrationBuilder.DropIndex(
                name: "IX_point_lots_account_id_id_expires_at_micros_remaining_points",
                table: "point_lots");

            migrationBuilder.CreateIndex(
                name: "IX_postings_account_id_sequence",
                table: "postings",
                columns: new[] { "account_id", "sequence" });

            migrationBuilder.CreateIndex(
                name: "IX_point_lots_account_id_id",
                table: "point_lots",
                columns: new[] { "account_id", "id" },
                filter: "remaining_points > 0");
        }
    }
}
