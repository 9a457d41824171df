using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace PartnerExchange.Ledger.Storage.Migrations
{
    /// <inheritdoc />
    public partial class EventRetention : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "event_retention",
                columns: table => new
                {
                    program_code = table.Column<string>(type: "TEXT", nullable: false),
                    pruned_through_cursor = table.Column<long>(type: "INTEGER", nullable: false),
                    pruned_through_sequence = table.Column<long>(type: "INTEGER", nullable: false),
                    pruned_at_micros = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_event_retention", x => x.program_code);
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "event_retention");
        }
    }
}
