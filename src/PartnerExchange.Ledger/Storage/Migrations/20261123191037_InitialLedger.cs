using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace PartnerExchange.Ledger.Storage.Migrations
{
    /// <inheritdoc />
    public partial class InitialLedger : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "accounts",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    program_code = table.Column<string>(type: "TEXT", nullable: false),
                    kind = table.Column<int>(type: "INTEGER", nullable: false),
                    member_number = table.Column<string>(type: "TEXT", nullable: false),
                    balance_points = table.Column<long>(type: "INTEGER", nullable: false),
                    created_at_micros = table.Column<long>(type: "INTEGER", nullable: false),
                    last_sequence = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_accounts", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "api_keys",
                columns: table => new
                {
                    key_id = table.Column<string>(type: "TEXT", nullable: false),
                    role = table.Column<int>(type: "INTEGER", nullable: false),
                    program_code = table.Column<string>(type: "TEXT", nullable: true),
                    label = table.Column<string>(type: "TEXT", nullable: false),
                    secret_hash = table.Column<byte[]>(type: "BLOB", nullable: false),
                    created_at_micros = table.Column<long>(type: "INTEGER", nullable: false),
                    revoked_at_micros = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_api_keys", x => x.key_id);
                });

            migrationBuilder.CreateTable(
                name: "exchange_rates",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    from_program_code = table.Column<string>(type: "TEXT", nullable: false),
                    to_program_code = table.Column<string>(type: "TEXT", nullable: false),
                    version = table.Column<long>(type: "INTEGER", nullable: false),
                    from_points = table.Column<long>(type: "INTEGER", nullable: false),
                    to_points = table.Column<long>(type: "INTEGER", nullable: false),
                    min_source_points = table.Column<long>(type: "INTEGER", nullable: false),
                    max_source_points = table.Column<long>(type: "INTEGER", nullable: false),
                    increment_points = table.Column<long>(type: "INTEGER", nullable: false),
                    member_fee_points = table.Column<long>(type: "INTEGER", nullable: false),
                    bonus_basis_points = table.Column<int>(type: "INTEGER", nullable: false),
                    bonus_starts_at_micros = table.Column<long>(type: "INTEGER", nullable: true),
                    bonus_ends_at_micros = table.Column<long>(type: "INTEGER", nullable: true),
                    effective_at_micros = table.Column<long>(type: "INTEGER", nullable: false),
                    enabled = table.Column<bool>(type: "INTEGER", nullable: false),
                    created_at_micros = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_exchange_rates", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "idempotency_records",
                columns: table => new
                {
                    principal = table.Column<string>(type: "TEXT", nullable: false),
                    idempotency_key = table.Column<string>(type: "TEXT", nullable: false),
                    method = table.Column<string>(type: "TEXT", nullable: false),
                    request_fingerprint = table.Column<byte[]>(type: "BLOB", nullable: false),
                    is_refusal = table.Column<bool>(type: "INTEGER", nullable: false),
                    response = table.Column<byte[]>(type: "BLOB", nullable: false),
                    created_at_micros = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_idempotency_records", x => new { x.principal, x.idempotency_key });
                });

            migrationBuilder.CreateTable(
                name: "obligations",
                columns: table => new
                {
                    sequence = table.Column<long>(type: "INTEGER", nullable: false),
                    payer_program_code = table.Column<string>(type: "TEXT", nullable: false),
                    payee_program_code = table.Column<string>(type: "TEXT", nullable: false),
                    destination_points = table.Column<long>(type: "INTEGER", nullable: false),
                    point_price_micros = table.Column<long>(type: "INTEGER", nullable: false),
                    currency_code = table.Column<string>(type: "TEXT", nullable: false),
                    amount_micros = table.Column<long>(type: "INTEGER", nullable: false),
                    amount_minor = table.Column<long>(type: "INTEGER", nullable: false),
                    created_at_micros = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_obligations", x => x.sequence);
                });

            migrationBuilder.CreateTable(
                name: "partners",
                columns: table => new
                {
                    program_code = table.Column<string>(type: "TEXT", nullable: false),
                    display_name = table.Column<string>(type: "TEXT", nullable: false),
                    program_name = table.Column<string>(type: "TEXT", nullable: false),
                    kind = table.Column<int>(type: "INTEGER", nullable: false),
                    status = table.Column<int>(type: "INTEGER", nullable: false),
                    settlement_currency = table.Column<string>(type: "TEXT", nullable: false),
                    point_price_micros = table.Column<long>(type: "INTEGER", nullable: false),
                    earn_currency = table.Column<string>(type: "TEXT", nullable: true),
                    earn_points = table.Column<long>(type: "INTEGER", nullable: true),
                    earn_per_amount_minor = table.Column<long>(type: "INTEGER", nullable: true),
                    created_at_micros = table.Column<long>(type: "INTEGER", nullable: false),
                    updated_at_micros = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_partners", x => x.program_code);
                });

            migrationBuilder.CreateTable(
                name: "postings",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    sequence = table.Column<long>(type: "INTEGER", nullable: false),
                    account_id = table.Column<long>(type: "INTEGER", nullable: false),
                    program_code = table.Column<string>(type: "TEXT", nullable: false),
                    account_kind = table.Column<int>(type: "INTEGER", nullable: false),
                    member_number = table.Column<string>(type: "TEXT", nullable: false),
                    amount_points = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_postings", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "settings",
                columns: table => new
                {
                    name = table.Column<string>(type: "TEXT", nullable: false),
                    value = table.Column<byte[]>(type: "BLOB", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_settings", x => x.name);
                });

            migrationBuilder.CreateTable(
                name: "transactions",
                columns: table => new
                {
                    sequence = table.Column<long>(type: "INTEGER", nullable: false),
                    transaction_id = table.Column<string>(type: "TEXT", nullable: false),
                    kind = table.Column<int>(type: "INTEGER", nullable: false),
                    requester_program_code = table.Column<string>(type: "TEXT", nullable: true),
                    api_key_id = table.Column<string>(type: "TEXT", nullable: false),
                    idempotency_key = table.Column<string>(type: "TEXT", nullable: false),
                    request_fingerprint = table.Column<byte[]>(type: "BLOB", nullable: false),
                    created_at_micros = table.Column<long>(type: "INTEGER", nullable: false),
                    reference = table.Column<string>(type: "TEXT", nullable: false),
                    accrual_reason = table.Column<int>(type: "INTEGER", nullable: false),
                    reverses_sequence = table.Column<long>(type: "INTEGER", nullable: true),
                    reverses_transaction_id = table.Column<string>(type: "TEXT", nullable: true),
                    rate_id = table.Column<long>(type: "INTEGER", nullable: true),
                    rate_version = table.Column<long>(type: "INTEGER", nullable: true),
                    counterparty_program_code = table.Column<string>(type: "TEXT", nullable: true),
                    fee_points = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_transactions", x => x.sequence);
                });

            migrationBuilder.CreateIndex(
                name: "IX_accounts_program_code_kind_member_number",
                table: "accounts",
                columns: new[] { "program_code", "kind", "member_number" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_api_keys_program_code",
                table: "api_keys",
                column: "program_code");

            migrationBuilder.CreateIndex(
                name: "IX_exchange_rates_from_program_code_to_program_code_version",
                table: "exchange_rates",
                columns: new[] { "from_program_code", "to_program_code", "version" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_obligations_payer_program_code_payee_program_code_created_at_micros",
                table: "obligations",
                columns: new[] { "payer_program_code", "payee_program_code", "created_at_micros" });

            migrationBuilder.CreateIndex(
                name: "IX_postings_account_id_sequence",
                table: "postings",
                columns: new[] { "account_id", "sequence" });

            migrationBuilder.CreateIndex(
                name: "IX_postings_program_code_sequence",
                table: "postings",
                columns: new[] { "program_code", "sequence" });

            migrationBuilder.CreateIndex(
                name: "IX_postings_sequence",
                table: "postings",
                column: "sequence");

            migrationBuilder.CreateIndex(
                name: "IX_transactions_requester_program_code_sequence",
                table: "transactions",
                columns: new[] { "requester_program_code", "sequence" });

            migrationBuilder.CreateIndex(
                name: "IX_transactions_reverses_sequence",
                table: "transactions",
                column: "reverses_sequence",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_transactions_transaction_id",
                table: "transactions",
                column: "transaction_id",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "accounts");

            migrationBuilder.DropTable(
                name: "api_keys");

            migrationBuilder.DropTable(
                name: "exchange_rates");

            migrationBuilder.DropTable(
                name: "idempotency_records");

            migrationBuilder.DropTable(
                name: "obligations");

            migrationBuilder.DropTable(
                name: "partners");

            migrationBuilder.DropTable(
                name: "postings");

            migrationBuilder.DropTable(
                name: "settings");

            migrationBuilder.DropTable(
                name: "transactions");
        }
    }
}
