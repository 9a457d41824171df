using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace PartnerExchange.Ledger.Storage.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class Baseline : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "accounts",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    program_code = table.Column<string>(type: "text", nullable: false),
                    kind = table.Column<int>(type: "integer", nullable: false),
                    member_number = table.Column<string>(type: "text", nullable: false),
                    balance_points = table.Column<long>(type: "bigint", nullable: false),
                    created_at_micros = table.Column<long>(type: "bigint", nullable: false),
                    last_sequence = table.Column<long>(type: "bigint", nullable: false),
                    last_activity_micros = table.Column<long>(type: "bigint", nullable: false, defaultValue: 0L),
                    accrual_credit_points = table.Column<long>(type: "bigint", nullable: false, defaultValue: 0L),
                    accrual_debit_points = table.Column<long>(type: "bigint", nullable: false, defaultValue: 0L),
                    redemption_credit_points = table.Column<long>(type: "bigint", nullable: false, defaultValue: 0L),
                    redemption_debit_points = table.Column<long>(type: "bigint", nullable: false, defaultValue: 0L),
                    conversion_credit_points = table.Column<long>(type: "bigint", nullable: false, defaultValue: 0L),
                    conversion_debit_points = table.Column<long>(type: "bigint", nullable: false, defaultValue: 0L),
                    reversal_credit_points = table.Column<long>(type: "bigint", nullable: false, defaultValue: 0L),
                    reversal_debit_points = table.Column<long>(type: "bigint", nullable: false, defaultValue: 0L),
                    expiry_credit_points = table.Column<long>(type: "bigint", nullable: false, defaultValue: 0L),
                    expiry_debit_points = table.Column<long>(type: "bigint", nullable: false, defaultValue: 0L),
                    adjustment_credit_points = table.Column<long>(type: "bigint", nullable: false, defaultValue: 0L),
                    adjustment_debit_points = table.Column<long>(type: "bigint", nullable: false, defaultValue: 0L)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_accounts", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "api_keys",
                columns: table => new
                {
                    key_id = table.Column<string>(type: "text", nullable: false),
                    role = table.Column<int>(type: "integer", nullable: false),
                    program_code = table.Column<string>(type: "text", nullable: true),
                    label = table.Column<string>(type: "text", nullable: false),
                    secret_hash = table.Column<byte[]>(type: "bytea", nullable: false),
                    created_at_micros = table.Column<long>(type: "bigint", nullable: false),
                    revoked_at_micros = table.Column<long>(type: "bigint", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_api_keys", x => x.key_id);
                });

            migrationBuilder.CreateTable(
                name: "event_retention",
                columns: table => new
                {
                    program_code = table.Column<string>(type: "text", nullable: false),
                    pruned_through_cursor = table.Column<long>(type: "bigint", nullable: false),
                    pruned_through_sequence = table.Column<long>(type: "bigint", nullable: false),
                    pruned_at_micros = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_event_retention", x => x.program_code);
                });

            migrationBuilder.CreateTable(
                name: "events",
                columns: table => new
                {
                    cursor = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    program_code = table.Column<string>(type: "text", nullable: false),
                    kind = table.Column<int>(type: "integer", nullable: false),
                    occurred_at_micros = table.Column<long>(type: "bigint", nullable: false),
                    member_number = table.Column<string>(type: "text", nullable: false),
                    points = table.Column<long>(type: "bigint", nullable: false),
                    balance_points = table.Column<long>(type: "bigint", nullable: false),
                    transaction_id = table.Column<string>(type: "text", nullable: true),
                    reverses_transaction_id = table.Column<string>(type: "text", nullable: true),
                    counterparty_program_code = table.Column<string>(type: "text", nullable: true),
                    expires_at_micros = table.Column<long>(type: "bigint", nullable: true),
                    warning_days = table.Column<int>(type: "integer", nullable: false),
                    from_program_code = table.Column<string>(type: "text", nullable: true),
                    to_program_code = table.Column<string>(type: "text", nullable: true),
                    rate_version = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_events", x => x.cursor);
                });

            migrationBuilder.CreateTable(
                name: "exchange_rates",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    from_program_code = table.Column<string>(type: "text", nullable: false),
                    to_program_code = table.Column<string>(type: "text", nullable: false),
                    version = table.Column<long>(type: "bigint", nullable: false),
                    from_points = table.Column<long>(type: "bigint", nullable: false),
                    to_points = table.Column<long>(type: "bigint", nullable: false),
                    min_source_points = table.Column<long>(type: "bigint", nullable: false),
                    max_source_points = table.Column<long>(type: "bigint", nullable: false),
                    increment_points = table.Column<long>(type: "bigint", nullable: false),
                    member_fee_points = table.Column<long>(type: "bigint", nullable: false),
                    bonus_basis_points = table.Column<int>(type: "integer", nullable: false),
                    bonus_starts_at_micros = table.Column<long>(type: "bigint", nullable: true),
                    bonus_ends_at_micros = table.Column<long>(type: "bigint", nullable: true),
                    effective_at_micros = table.Column<long>(type: "bigint", nullable: false),
                    enabled = table.Column<bool>(type: "boolean", nullable: false),
                    created_at_micros = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_exchange_rates", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "expiry_warnings",
                columns: table => new
                {
                    account_id = table.Column<long>(type: "bigint", nullable: false),
                    lot_id = table.Column<long>(type: "bigint", nullable: false),
                    horizon_days = table.Column<int>(type: "integer", nullable: false),
                    basis_micros = table.Column<long>(type: "bigint", nullable: false),
                    issued_at_micros = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_expiry_warnings", x => new { x.account_id, x.lot_id, x.horizon_days, x.basis_micros });
                });

            migrationBuilder.CreateTable(
                name: "idempotency_records",
                columns: table => new
                {
                    principal = table.Column<string>(type: "text", nullable: false),
                    idempotency_key = table.Column<string>(type: "text", nullable: false),
                    method = table.Column<string>(type: "text", nullable: false),
                    request_fingerprint = table.Column<byte[]>(type: "bytea", nullable: false),
                    is_refusal = table.Column<bool>(type: "boolean", nullable: false),
                    response = table.Column<byte[]>(type: "bytea", nullable: false),
                    created_at_micros = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_idempotency_records", x => new { x.principal, x.idempotency_key });
                });

            migrationBuilder.CreateTable(
                name: "lot_movements",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    sequence = table.Column<long>(type: "bigint", nullable: false),
                    lot_id = table.Column<long>(type: "bigint", nullable: false),
                    points = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_lot_movements", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "obligations",
                columns: table => new
                {
                    sequence = table.Column<long>(type: "bigint", nullable: false),
                    payer_program_code = table.Column<string>(type: "text", nullable: false),
                    payee_program_code = table.Column<string>(type: "text", nullable: false),
                    destination_points = table.Column<long>(type: "bigint", nullable: false),
                    point_price_micros = table.Column<long>(type: "bigint", nullable: false),
                    currency_code = table.Column<string>(type: "text", nullable: false),
                    amount_micros = table.Column<long>(type: "bigint", nullable: false),
                    amount_minor = table.Column<long>(type: "bigint", nullable: false),
                    created_at_micros = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_obligations", x => x.sequence);
                });

            migrationBuilder.CreateTable(
                name: "open_obligation_totals",
                columns: table => new
                {
                    program_code = table.Column<string>(type: "text", nullable: false),
                    currency_code = table.Column<string>(type: "text", nullable: false),
                    open_micros = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_open_obligation_totals", x => new { x.program_code, x.currency_code });
                });

            migrationBuilder.CreateTable(
                name: "partners",
                columns: table => new
                {
                    program_code = table.Column<string>(type: "text", nullable: false),
                    display_name = table.Column<string>(type: "text", nullable: false),
                    program_name = table.Column<string>(type: "text", nullable: false),
                    kind = table.Column<int>(type: "integer", nullable: false),
                    status = table.Column<int>(type: "integer", nullable: false),
                    settlement_currency = table.Column<string>(type: "text", nullable: false),
                    point_price_micros = table.Column<long>(type: "bigint", nullable: false),
                    earn_currency = table.Column<string>(type: "text", nullable: true),
                    earn_points = table.Column<long>(type: "bigint", nullable: true),
                    earn_per_amount_minor = table.Column<long>(type: "bigint", nullable: true),
                    created_at_micros = table.Column<long>(type: "bigint", nullable: false),
                    updated_at_micros = table.Column<long>(type: "bigint", nullable: false),
                    writes_per_second = table.Column<int>(type: "integer", nullable: true),
                    writes_burst = table.Column<int>(type: "integer", nullable: true),
                    reads_per_second = table.Column<int>(type: "integer", nullable: true),
                    reads_burst = table.Column<int>(type: "integer", nullable: true),
                    quotes_per_second = table.Column<int>(type: "integer", nullable: true),
                    quotes_burst = table.Column<int>(type: "integer", nullable: true),
                    expiry_policy = table.Column<int>(type: "integer", nullable: false, defaultValue: 0),
                    expiry_months = table.Column<int>(type: "integer", nullable: false, defaultValue: 0),
                    expiry_policy_since_micros = table.Column<long>(type: "bigint", nullable: false, defaultValue: 0L)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_partners", x => x.program_code);
                });

            migrationBuilder.CreateTable(
                name: "payments",
                columns: table => new
                {
                    payment_id = table.Column<string>(type: "text", nullable: false),
                    statement_id = table.Column<string>(type: "text", nullable: false),
                    amount_minor = table.Column<long>(type: "bigint", nullable: false),
                    reference = table.Column<string>(type: "text", nullable: false),
                    created_at_micros = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_payments", x => x.payment_id);
                });

            migrationBuilder.CreateTable(
                name: "point_lots",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    account_id = table.Column<long>(type: "bigint", nullable: false),
                    sequence = table.Column<long>(type: "bigint", nullable: false),
                    earned_at_micros = table.Column<long>(type: "bigint", nullable: false),
                    expires_at_micros = table.Column<long>(type: "bigint", nullable: true),
                    original_points = table.Column<long>(type: "bigint", nullable: false),
                    remaining_points = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_point_lots", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "postings",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    sequence = table.Column<long>(type: "bigint", nullable: false),
                    account_id = table.Column<long>(type: "bigint", nullable: false),
                    program_code = table.Column<string>(type: "text", nullable: false),
                    account_kind = table.Column<int>(type: "integer", nullable: false),
                    member_number = table.Column<string>(type: "text", nullable: false),
                    amount_points = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_postings", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "settings",
                columns: table => new
                {
                    name = table.Column<string>(type: "text", nullable: false),
                    value = table.Column<byte[]>(type: "bytea", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_settings", x => x.name);
                });

            migrationBuilder.CreateTable(
                name: "settlement_periods",
                columns: table => new
                {
                    period_id = table.Column<string>(type: "text", nullable: false),
                    start_micros = table.Column<long>(type: "bigint", nullable: false),
                    end_micros = table.Column<long>(type: "bigint", nullable: false),
                    closed_at_micros = table.Column<long>(type: "bigint", nullable: false),
                    content_hash = table.Column<string>(type: "text", nullable: false),
                    first_sequence = table.Column<long>(type: "bigint", nullable: false),
                    last_sequence = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_settlement_periods", x => x.period_id);
                });

            migrationBuilder.CreateTable(
                name: "statements",
                columns: table => new
                {
                    statement_id = table.Column<string>(type: "text", nullable: false),
                    period_id = table.Column<string>(type: "text", nullable: false),
                    payer_program_code = table.Column<string>(type: "text", nullable: false),
                    payee_program_code = table.Column<string>(type: "text", nullable: false),
                    currency_code = table.Column<string>(type: "text", nullable: false),
                    line_count = table.Column<int>(type: "integer", nullable: false),
                    destination_points = table.Column<long>(type: "bigint", nullable: false),
                    gross_amount_micros = table.Column<long>(type: "bigint", nullable: false),
                    gross_amount_minor = table.Column<long>(type: "bigint", nullable: false),
                    network_fee_minor = table.Column<long>(type: "bigint", nullable: false),
                    amount_due_minor = table.Column<long>(type: "bigint", nullable: false),
                    content_hash = table.Column<string>(type: "text", nullable: false),
                    created_at_micros = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_statements", x => x.statement_id);
                });

            migrationBuilder.CreateTable(
                name: "transactions",
                columns: table => new
                {
                    sequence = table.Column<long>(type: "bigint", nullable: false),
                    transaction_id = table.Column<string>(type: "text", nullable: false),
                    kind = table.Column<int>(type: "integer", nullable: false),
                    requester_program_code = table.Column<string>(type: "text", nullable: true),
                    api_key_id = table.Column<string>(type: "text", nullable: false),
                    idempotency_key = table.Column<string>(type: "text", nullable: false),
                    request_fingerprint = table.Column<byte[]>(type: "bytea", nullable: false),
                    created_at_micros = table.Column<long>(type: "bigint", nullable: false),
                    reference = table.Column<string>(type: "text", nullable: false),
                    accrual_reason = table.Column<int>(type: "integer", nullable: false),
                    reverses_sequence = table.Column<long>(type: "bigint", nullable: true),
                    reverses_transaction_id = table.Column<string>(type: "text", nullable: true),
                    rate_id = table.Column<long>(type: "bigint", nullable: true),
                    rate_version = table.Column<long>(type: "bigint", nullable: true),
                    counterparty_program_code = table.Column<string>(type: "text", nullable: true),
                    fee_points = table.Column<long>(type: "bigint", nullable: false)
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
                name: "IX_events_program_code_cursor",
                table: "events",
                columns: new[] { "program_code", "cursor" });

            migrationBuilder.CreateIndex(
                name: "IX_exchange_rates_from_program_code_to_program_code_effective_~",
                table: "exchange_rates",
                columns: new[] { "from_program_code", "to_program_code", "effective_at_micros", "version" });

            migrationBuilder.CreateIndex(
                name: "IX_exchange_rates_from_program_code_to_program_code_version",
                table: "exchange_rates",
                columns: new[] { "from_program_code", "to_program_code", "version" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_lot_movements_lot_id",
                table: "lot_movements",
                column: "lot_id");

            migrationBuilder.CreateIndex(
                name: "IX_lot_movements_sequence",
                table: "lot_movements",
                column: "sequence");

            migrationBuilder.CreateIndex(
                name: "IX_obligations_created_at_micros",
                table: "obligations",
                column: "created_at_micros");

            migrationBuilder.CreateIndex(
                name: "IX_payments_statement_id_created_at_micros",
                table: "payments",
                columns: new[] { "statement_id", "created_at_micros" });

            migrationBuilder.CreateIndex(
                name: "IX_point_lots_account_id_expires_at_micros_remaining_points",
                table: "point_lots",
                columns: new[] { "account_id", "expires_at_micros", "remaining_points" },
                filter: "remaining_points > 0 AND expires_at_micros IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "IX_point_lots_account_id_id_expires_at_micros_remaining_points",
                table: "point_lots",
                columns: new[] { "account_id", "id", "expires_at_micros", "remaining_points" },
                filter: "remaining_points > 0");

            migrationBuilder.CreateIndex(
                name: "IX_point_lots_expires_at_micros",
                table: "point_lots",
                column: "expires_at_micros",
                filter: "remaining_points > 0 AND expires_at_micros IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "IX_point_lots_sequence",
                table: "point_lots",
                column: "sequence");

            migrationBuilder.CreateIndex(
                name: "IX_postings_account_id_sequence_amount_points",
                table: "postings",
                columns: new[] { "account_id", "sequence", "amount_points" });

            migrationBuilder.CreateIndex(
                name: "IX_postings_program_code_sequence",
                table: "postings",
                columns: new[] { "program_code", "sequence" });

            migrationBuilder.CreateIndex(
                name: "IX_postings_sequence",
                table: "postings",
                column: "sequence");

            migrationBuilder.CreateIndex(
                name: "IX_settlement_periods_start_micros_end_micros",
                table: "settlement_periods",
                columns: new[] { "start_micros", "end_micros" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_statements_period_id_payer_program_code_payee_program_code_~",
                table: "statements",
                columns: new[] { "period_id", "payer_program_code", "payee_program_code", "currency_code" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_transactions_reverses_sequence",
                table: "transactions",
                column: "reverses_sequence",
                unique: true,
                filter: "reverses_sequence IS NOT NULL");

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
                name: "event_retention");

            migrationBuilder.DropTable(
                name: "events");

            migrationBuilder.DropTable(
                name: "exchange_rates");

            migrationBuilder.DropTable(
                name: "expiry_warnings");

            migrationBuilder.DropTable(
                name: "idempotency_records");

            migrationBuilder.DropTable(
                name: "lot_movements");

            migrationBuilder.DropTable(
                name: "obligations");

            migrationBuilder.DropTable(
                name: "open_obligation_totals");

            migrationBuilder.DropTable(
                name: "partners");

            migrationBuilder.DropTable(
                name: "payments");

            migrationBuilder.DropTable(
                name: "point_lots");

            migrationBuilder.DropTable(
                name: "postings");

            migrationBuilder.DropTable(
                name: "settings");

            migrationBuilder.DropTable(
                name: "settlement_periods");

            migrationBuilder.DropTable(
                name: "statements");

            migrationBuilder.DropTable(
                name: "transactions");
        }
    }
}
