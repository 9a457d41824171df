using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace PartnerExchange.Ledger.Storage.Migrations
{
    /// <inheritdoc />
    public partial class ExpiredLotsByAccount : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "IX_point_lots_account_id_expires_at_micros_remaining_points",
                table: "point_lots",
                columns: new[] { "account_id", "expires_at_micros", "remaining_points" },
                filter: "remaining_points > 0 AND expires_at_micros IS NOT NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_point_lots_account_id_expires_at_micros_remaining_points",
                table: "point_lots");
        }
    }
}
