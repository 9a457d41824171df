using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace PartnerExchange.Ledger.Storage.Migrations
{
    /// <inheritdoc />
    public partial class ExpiryPolicySince : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "expiry_policy_since_micros",
                table: "partners",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            // When an existing program's policy took effect was not kept. Its last update is no earlier than that, so
            // an inactivity clock started from it never runs out sooner than the policy allowed (it may run later).
            migrationBuilder.Sql("UPDATE partners SET expiry_policy_since_micros = updated_at_micros");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "expiry_policy_since_micros",
                table: "partners");
        }
    }
}
