-- A ledger as release 1.1.0 leaves it: its schema and its migration history (20261123191037_InitialLedger to
-- 20261207220000_OpenObligationTotals), no rows. `sqlite3 .dump` of an empty file migrated by 1.1.0's EF Core migrations,
-- taken before they were squashed into one baseline; the tests upgrade it and compare the baseline's schema with it.
PRAGMA foreign_keys=OFF;
BEGIN TRANSACTION;
CREATE TABLE IF NOT EXISTS "__EFMigrationsLock" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK___EFMigrationsLock" PRIMARY KEY,
    "Timestamp" TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS "__EFMigrationsHistory" (
    "MigrationId" TEXT NOT NULL CONSTRAINT "PK___EFMigrationsHistory" PRIMARY KEY,
    "ProductVersion" TEXT NOT NULL
);
INSERT INTO __EFMigrationsHistory VALUES('20261123191037_InitialLedger','10.0.15');
INSERT INTO __EFMigrationsHistory VALUES('20261123192924_PartnerRateLimits','10.0.15');
INSERT INTO __EFMigrationsHistory VALUES('20261123200302_Settlement','10.0.15');
INSERT INTO __EFMigrationsHistory VALUES('20261129211442_ExpiryAndEvents','10.0.15');
INSERT INTO __EFMigrationsHistory VALUES('20261130000422_CoveringAccountIndexes','10.0.15');
INSERT INTO __EFMigrationsHistory VALUES('20261130033952_LeanerLedgerWrites','10.0.15');
INSERT INTO __EFMigrationsHistory VALUES('20261130062902_ExpiredLotsByAccount','10.0.15');
INSERT INTO __EFMigrationsHistory VALUES('20261130080857_EventRetention','10.0.15');
INSERT INTO __EFMigrationsHistory VALUES('20261130113537_TransactionsWithoutRequesterIndex','10.0.15');
INSERT INTO __EFMigrationsHistory VALUES('20261130122756_AccountTotalsByKind','10.0.15');
INSERT INTO __EFMigrationsHistory VALUES('20261130134804_FewerIndexesPerCommit','10.0.15');
INSERT INTO __EFMigrationsHistory VALUES('20261207213000_ExpiryPolicySince','10.0.15');
INSERT INTO __EFMigrationsHistory VALUES('20261207220000_OpenObligationTotals','10.0.15');
CREATE TABLE IF NOT EXISTS "accounts" (
    "id" INTEGER NOT NULL CONSTRAINT "PK_accounts" PRIMARY KEY AUTOINCREMENT,
    "program_code" TEXT NOT NULL,
    "kind" INTEGER NOT NULL,
    "member_number" TEXT NOT NULL,
    "balance_points" INTEGER NOT NULL,
    "created_at_micros" INTEGER NOT NULL,
    "last_sequence" INTEGER NOT NULL
, "last_activity_micros" INTEGER NOT NULL DEFAULT 0, "accrual_credit_points" INTEGER NOT NULL DEFAULT 0, "accrual_debit_points" INTEGER NOT NULL DEFAULT 0, "adjustment_credit_points" INTEGER NOT NULL DEFAULT 0, "adjustment_debit_points" INTEGER NOT NULL DEFAULT 0, "conversion_credit_points" INTEGER NOT NULL DEFAULT 0, "conversion_debit_points" INTEGER NOT NULL DEFAULT 0, "expiry_credit_points" INTEGER NOT NULL DEFAULT 0, "expiry_debit_points" INTEGER NOT NULL DEFAULT 0, "redemption_credit_points" INTEGER NOT NULL DEFAULT 0, "redemption_debit_points" INTEGER NOT NULL DEFAULT 0, "reversal_credit_points" INTEGER NOT NULL DEFAULT 0, "reversal_debit_points" INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS "api_keys" (
    "key_id" TEXT NOT NULL CONSTRAINT "PK_api_keys" PRIMARY KEY,
    "role" INTEGER NOT NULL,
    "program_code" TEXT NULL,
    "label" TEXT NOT NULL,
    "secret_hash" BLOB NOT NULL,
    "created_at_micros" INTEGER NOT NULL,
    "revoked_at_micros" INTEGER NULL
);
CREATE TABLE IF NOT EXISTS "exchange_rates" (
    "id" INTEGER NOT NULL CONSTRAINT "PK_exchange_rates" PRIMARY KEY AUTOINCREMENT,
    "from_program_code" TEXT NOT NULL,
    "to_program_code" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "from_points" INTEGER NOT NULL,
    "to_points" INTEGER NOT NULL,
    "min_source_points" INTEGER NOT NULL,
    "max_source_points" INTEGER NOT NULL,
    "increment_points" INTEGER NOT NULL,
    "member_fee_points" INTEGER NOT NULL,
    "bonus_basis_points" INTEGER NOT NULL,
    "bonus_starts_at_micros" INTEGER NULL,
    "bonus_ends_at_micros" INTEGER NULL,
    "effective_at_micros" INTEGER NOT NULL,
    "enabled" INTEGER NOT NULL,
    "created_at_micros" INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS "idempotency_records" (
    "principal" TEXT NOT NULL,
    "idempotency_key" TEXT NOT NULL,
    "method" TEXT NOT NULL,
    "request_fingerprint" BLOB NOT NULL,
    "is_refusal" INTEGER NOT NULL,
    "response" BLOB NOT NULL,
    "created_at_micros" INTEGER NOT NULL,
    CONSTRAINT "PK_idempotency_records" PRIMARY KEY ("principal", "idempotency_key")
);
CREATE TABLE IF NOT EXISTS "obligations" (
    "sequence" INTEGER NOT NULL CONSTRAINT "PK_obligations" PRIMARY KEY,
    "payer_program_code" TEXT NOT NULL,
    "payee_program_code" TEXT NOT NULL,
    "destination_points" INTEGER NOT NULL,
    "point_price_micros" INTEGER NOT NULL,
    "currency_code" TEXT NOT NULL,
    "amount_micros" INTEGER NOT NULL,
    "amount_minor" INTEGER NOT NULL,
    "created_at_micros" INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS "partners" (
    "program_code" TEXT NOT NULL CONSTRAINT "PK_partners" PRIMARY KEY,
    "display_name" TEXT NOT NULL,
    "program_name" TEXT NOT NULL,
    "kind" INTEGER NOT NULL,
    "status" INTEGER NOT NULL,
    "settlement_currency" TEXT NOT NULL,
    "point_price_micros" INTEGER NOT NULL,
    "earn_currency" TEXT NULL,
    "earn_points" INTEGER NULL,
    "earn_per_amount_minor" INTEGER NULL,
    "created_at_micros" INTEGER NOT NULL,
    "updated_at_micros" INTEGER NOT NULL
, "quotes_burst" INTEGER NULL, "quotes_per_second" INTEGER NULL, "reads_burst" INTEGER NULL, "reads_per_second" INTEGER NULL, "writes_burst" INTEGER NULL, "writes_per_second" INTEGER NULL, "expiry_months" INTEGER NOT NULL DEFAULT 0, "expiry_policy" INTEGER NOT NULL DEFAULT 0, "expiry_policy_since_micros" INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS "settings" (
    "name" TEXT NOT NULL CONSTRAINT "PK_settings" PRIMARY KEY,
    "value" BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS "transactions" (
    "sequence" INTEGER NOT NULL CONSTRAINT "PK_transactions" PRIMARY KEY,
    "transaction_id" TEXT NOT NULL,
    "kind" INTEGER NOT NULL,
    "requester_program_code" TEXT NULL,
    "api_key_id" TEXT NOT NULL,
    "idempotency_key" TEXT NOT NULL,
    "request_fingerprint" BLOB NOT NULL,
    "created_at_micros" INTEGER NOT NULL,
    "reference" TEXT NOT NULL,
    "accrual_reason" INTEGER NOT NULL,
    "reverses_sequence" INTEGER NULL,
    "reverses_transaction_id" TEXT NULL,
    "rate_id" INTEGER NULL,
    "rate_version" INTEGER NULL,
    "counterparty_program_code" TEXT NULL,
    "fee_points" INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS "payments" (
    "payment_id" TEXT NOT NULL CONSTRAINT "PK_payments" PRIMARY KEY,
    "statement_id" TEXT NOT NULL,
    "amount_minor" INTEGER NOT NULL,
    "reference" TEXT NOT NULL,
    "created_at_micros" INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS "settlement_periods" (
    "period_id" TEXT NOT NULL CONSTRAINT "PK_settlement_periods" PRIMARY KEY,
    "start_micros" INTEGER NOT NULL,
    "end_micros" INTEGER NOT NULL,
    "closed_at_micros" INTEGER NOT NULL,
    "content_hash" TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS "statement_lines" (
    "statement_id" TEXT NOT NULL,
    "sequence" INTEGER NOT NULL,
    CONSTRAINT "PK_statement_lines" PRIMARY KEY ("statement_id", "sequence")
);
CREATE TABLE IF NOT EXISTS "statements" (
    "statement_id" TEXT NOT NULL CONSTRAINT "PK_statements" PRIMARY KEY,
    "period_id" TEXT NOT NULL,
    "payer_program_code" TEXT NOT NULL,
    "payee_program_code" TEXT NOT NULL,
    "currency_code" TEXT NOT NULL,
    "line_count" INTEGER NOT NULL,
    "destination_points" INTEGER NOT NULL,
    "gross_amount_micros" INTEGER NOT NULL,
    "gross_amount_minor" INTEGER NOT NULL,
    "network_fee_minor" INTEGER NOT NULL,
    "amount_due_minor" INTEGER NOT NULL,
    "content_hash" TEXT NOT NULL,
    "created_at_micros" INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS "events" (
    "cursor" INTEGER NOT NULL CONSTRAINT "PK_events" PRIMARY KEY AUTOINCREMENT,
    "program_code" TEXT NOT NULL,
    "kind" INTEGER NOT NULL,
    "occurred_at_micros" INTEGER NOT NULL,
    "member_number" TEXT NOT NULL,
    "points" INTEGER NOT NULL,
    "balance_points" INTEGER NOT NULL,
    "transaction_id" TEXT NULL,
    "reverses_transaction_id" TEXT NULL,
    "counterparty_program_code" TEXT NULL,
    "expires_at_micros" INTEGER NULL,
    "warning_days" INTEGER NOT NULL,
    "from_program_code" TEXT NULL,
    "to_program_code" TEXT NULL,
    "rate_version" INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS "expiry_warnings" (
    "account_id" INTEGER NOT NULL,
    "lot_id" INTEGER NOT NULL,
    "horizon_days" INTEGER NOT NULL,
    "basis_micros" INTEGER NOT NULL,
    "issued_at_micros" INTEGER NOT NULL,
    CONSTRAINT "PK_expiry_warnings" PRIMARY KEY ("account_id", "lot_id", "horizon_days", "basis_micros")
);
CREATE TABLE IF NOT EXISTS "postings" ("id" INTEGER NOT NULL CONSTRAINT "PK_postings" PRIMARY KEY, "sequence" INTEGER NOT NULL, "account_id" INTEGER NOT NULL, "program_code" TEXT NOT NULL, "account_kind" INTEGER NOT NULL, "member_number" TEXT NOT NULL, "amount_points" INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS "point_lots" ("id" INTEGER NOT NULL CONSTRAINT "PK_point_lots" PRIMARY KEY, "account_id" INTEGER NOT NULL, "sequence" INTEGER NOT NULL, "earned_at_micros" INTEGER NOT NULL, "expires_at_micros" INTEGER NULL, "original_points" INTEGER NOT NULL, "remaining_points" INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS "lot_movements" ("id" INTEGER NOT NULL CONSTRAINT "PK_lot_movements" PRIMARY KEY, "sequence" INTEGER NOT NULL, "lot_id" INTEGER NOT NULL, "points" INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS "event_retention" (
    "program_code" TEXT NOT NULL CONSTRAINT "PK_event_retention" PRIMARY KEY,
    "pruned_through_cursor" INTEGER NOT NULL,
    "pruned_through_sequence" INTEGER NOT NULL,
    "pruned_at_micros" INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS "open_obligation_totals" (
    "program_code" TEXT NOT NULL,
    "currency_code" TEXT NOT NULL,
    "open_micros" INTEGER NOT NULL,
    CONSTRAINT "PK_open_obligation_totals" PRIMARY KEY ("program_code", "currency_code")
);
DELETE FROM sqlite_sequence;
INSERT INTO sqlite_sequence VALUES('events',0);
CREATE UNIQUE INDEX "IX_accounts_program_code_kind_member_number" ON "accounts" ("program_code", "kind", "member_number");
CREATE INDEX "IX_api_keys_program_code" ON "api_keys" ("program_code");
CREATE UNIQUE INDEX "IX_exchange_rates_from_program_code_to_program_code_version" ON "exchange_rates" ("from_program_code", "to_program_code", "version");
CREATE UNIQUE INDEX "IX_transactions_transaction_id" ON "transactions" ("transaction_id");
CREATE INDEX "IX_obligations_created_at_micros" ON "obligations" ("created_at_micros");
CREATE INDEX "IX_payments_statement_id_created_at_micros" ON "payments" ("statement_id", "created_at_micros");
CREATE UNIQUE INDEX "IX_settlement_periods_start_micros_end_micros" ON "settlement_periods" ("start_micros", "end_micros");
CREATE UNIQUE INDEX "IX_statement_lines_sequence" ON "statement_lines" ("sequence");
CREATE UNIQUE INDEX "IX_statements_period_id_payer_program_code_payee_program_code_currency_code" ON "statements" ("period_id", "payer_program_code", "payee_program_code", "currency_code");
CREATE INDEX "IX_events_program_code_cursor" ON "events" ("program_code", "cursor");
CREATE INDEX "IX_postings_program_code_sequence" ON "postings" ("program_code", "sequence");
CREATE INDEX "IX_postings_sequence" ON "postings" ("sequence");
CREATE INDEX "IX_postings_account_id_sequence_amount_points" ON "postings" ("account_id", "sequence", "amount_points");
CREATE INDEX "IX_point_lots_sequence" ON "point_lots" ("sequence");
CREATE INDEX "IX_point_lots_account_id_id_expires_at_micros_remaining_points" ON "point_lots" ("account_id", "id", "expires_at_micros", "remaining_points") WHERE remaining_points > 0;
CREATE INDEX "IX_lot_movements_lot_id" ON "lot_movements" ("lot_id");
CREATE INDEX "IX_lot_movements_sequence" ON "lot_movements" ("sequence");
CREATE UNIQUE INDEX "IX_transactions_reverses_sequence" ON "transactions" ("reverses_sequence") WHERE reverses_sequence IS NOT NULL;
CREATE INDEX "IX_exchange_rates_from_program_code_to_program_code_effective_at_micros_version" ON "exchange_rates" ("from_program_code", "to_program_code", "effective_at_micros", "version");
CREATE INDEX "IX_point_lots_account_id_expires_at_micros_remaining_points" ON "point_lots" ("account_id", "expires_at_micros", "remaining_points") WHERE remaining_points > 0 AND expires_at_micros IS NOT NULL;
CREATE INDEX "IX_point_lots_expires_at_micros" ON "point_lots" ("expires_at_micros") WHERE remaining_points > 0 AND expires_at_micros IS NOT NULL;
COMMIT;
