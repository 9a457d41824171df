using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace PartnerExchange.Ledger.Storage.Migrations
{
    /// <inheritdoc />
    public partial class LeanerLedgerWrites : Migration
    {
        // The tables whose ids lose AUTOINCREMENT, as they stand: columns in order, then their indexes. They are
        // rebuilt by hand (copy, drop, rename, index) inside the migration's one transaction: EF's own rebuild
        // commits in three steps, and a crash between them would leave a database that cannot migrate. Ids are
        // kept; the next one is still the largest plus one, as nothing is ever deleted.
        private static readonly (string Table, string Columns, string[] Indexes)[] AppendOnlyTables =
        [
            ("postings",
                "\"sequence\" INTEGER NOT NULL, \"account_id\" INTEGER NOT NULL, \"program_code\" TEXT NOT NULL, " +
                "\"account_kind\" INTEGER NOT NULL, \"member_number\" TEXT NOT NULL, \"amount_points\" INTEGER NOT NULL",
                [
                    "CREATE INDEX \"IX_postings_program_code_sequence\" ON \"postings\" (\"program_code\", \"sequence\")",
                    "CREATE INDEX \"IX_postings_sequence\" ON \"postings\" (\"sequence\")",
                    "CREATE INDEX \"IX_postings_account_id_sequence_amount_points\" ON \"postings\" (\"account_id\", \"sequence\", \"amount_points\")",
                ]),
            ("point_lots",
                "\"account_id\" INTEGER NOT NULL, \"sequence\" INTEGER NOT NULL, \"earned_at_micros\" INTEGER NOT NULL, " +
                "\"expires_at_micros\" INTEGER NULL, \"original_points\" INTEGER NOT NULL, \"remaining_points\" INTEGER NOT NULL",
                [
                    "CREATE INDEX \"IX_point_lots_expires_at_micros\" ON \"point_lots\" (\"expires_at_micros\") WHERE remaining_points > 0",
                    "CREATE INDEX \"IX_point_lots_sequence\" ON \"point_lots\" (\"sequence\")",
                    "CREATE INDEX \"IX_point_lots_account_id_id_expires_at_micros_remaining_points\" ON \"point_lots\" " +
                    "(\"account_id\", \"id\", \"expires_at_micros\", \"remaining_points\") WHERE remaining_points > 0",
                ]),
            ("lot_movements",
                "\"sequence\" INTEGER NOT NULL, \"lot_id\" INTEGER NOT NULL, \"points\" INTEGER NOT NULL",
                [
                    "CREATE INDEX \"IX_lot_movements_lot_id\" ON \"lot_movements\" (\"lot_id\")",
                    "CREATE INDEX \"IX_lot_movements_sequence\" ON \"lot_movements\" (\"sequence\")",
                ]),
        ];

        private static void RebuildAppendOnlyTables(MigrationBuilder migrationBuilder, bool autoincrement)
        {
            foreach (var (table, columns, indexes) in AppendOnlyTables)
            {
                var names = string.Join(", ", columns.Split(", ").Select(c => c[..(c.IndexOf('"', 1) + 1)]));
                var key = $"\"id\" INTEGER NOT NULL CONSTRAINT \"PK_{table}\" PRIMARY KEY{(autoincrement ? " AUTOINCREMENT" : "")}";
                migrationBuilder.Sql($"CREATE TABLE \"ef_temp_{table}\" ({key}, {columns});");
                migrationBuilder.Sql($"INSERT INTO \"ef_temp_{table}\" (\"id\", {names}) SELECT \"id\", {names} FROM \"{table}\";");
                migrationBuilder.Sql($"DROP TABLE \"{table}\";");
                migrationBuilder.Sql($"ALTER TABLE \"ef_temp_{table}\" RENAME TO \"{table}\";");
                foreach (var index in indexes)
                {
                    migrationBuilder.Sql(index + ";");
                }
            }
        }

        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            RebuildAppendOnlyTables(migrationBuilder, autoincrement: false);

            migrationBuilder.DropIndex(
                name: "IX_transactions_reverses_sequence",
                table: "transactions");

            migrationBuilder.CreateIndex(
                name: "IX_transactions_reverses_sequence",
                table: "transactions",
                column: "reverses_sequence",
                unique: true,
                filter: "reverses_sequence IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "IX_exchange_rates_from_program_code_to_program_code_effective_at_micros_version",
                table: "exchange_rates",
                columns: new[] { "from_program_code", "to_program_code", "effective_at_micros", "version" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            RebuildAppendOnlyTables(migrationBuilder, autoincrement: true);

            migrationBuilder.DropIndex(
                name: "IX_transactions_reverses_sequence",
                table: "transactions");

            migrationBuilder.DropIndex(
                name: "IX_exchange_rates_from_program_code_to_program_code_effective_at_micros_version",
                table: "exchange_rates");

            migrationBuilder.CreateIndex(
                name: "IX_transactions_reverses_sequence",
                table: "transactions",
                column: "reverses_sequence",
                unique: true);
        }
    }
}
