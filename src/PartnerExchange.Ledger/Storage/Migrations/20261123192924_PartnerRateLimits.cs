using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace PartnerExchange.Ledger.Storage.Migrations
{
    /// <inheritdoc />
    public partial class PartnerRateLimits : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "quotes_burst",
                table: "partners",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "quotes_per_second",
                table: "partners",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "reads_burst",
                table: "partners",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "reads_per_second",
                table: "partners",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "writes_burst",
                table: "partners",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "writes_per_second",
                table: "partners",
                type: "INTEGER",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "quotes_burst",
                table: "partners");

            migrationBuilder.DropColumn(
                name: "quotes_per_second",
                table: "partners");

            migrationBuilder.DropColumn(
                name: "reads_burst",
                table: "partners");

            migrationBuilder.DropColumn(
                name: "reads_per_second",
                table: "partners");

            migrationBuilder.DropColumn(
                name: "writes_burst",
                table: "partners");

            migrationBuilder.DropColumn(
                name: "writes_per_second",
                table: "partners");
        }
    }
}
