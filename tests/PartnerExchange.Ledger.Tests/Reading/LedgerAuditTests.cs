using Microsoft.Data.Sqlite;
using PartnerExchange.Ledger.Commands;
using PartnerExchange.Ledger.Reading;
using PartnerExchange.Ledger.Settlement;
using PartnerExchange.Ledger.Tests.Infrastructure;
using PartnerExchange.Ledger.Writing;
using static PartnerExchange.Ledger.Tests.Infrastructure.LedgerHarness;

namespace PartnerExchange.Ledger.Tests.Reading;

/// <summary>
/// The verification must find what it claims to check: each test breaks one invariant behind the ledger's
/// back (raw SQL on a busy ledger) and expects exactly that check to report it.
/// </summary>
public sealed class LedgerAuditTests : LedgerTest
{
    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await Ledger.CreateShopToAirAsync(shopMemberPoints: 1_000);
        await Ledger.AcceptedAsync(Shop, new ConvertPoints(Shop, "s1", Air, "a1", 400, null, "convert"));
    }

    private LedgerAudit Audit => new(Ledger.Database);

    [Fact]
    public async Task Verify_UntouchedLedger_IsOk()
    {
        var verification = await Audit.VerifyAsync(default);

        Assert.True(verification.Ok, string.Join('\n', verification.Findings));
        Assert.Equal(2, verification.TransactionCount);
        Assert.Contains("statements_equal_their_lines", verification.Checks);
    }

    [Theory]
    [InlineData("UPDATE accounts SET balance_points = balance_points + 1 WHERE member_number = 's1'", "account_balances")]
    [InlineData("UPDATE postings SET amount_points = amount_points + 5 WHERE member_number = 'a1'", "transaction_balances")]
    [InlineData("UPDATE accounts SET accrual_credit_points = accrual_credit_points + 1 WHERE member_number = 's1'", "account_totals_by_kind")]
    [InlineData("UPDATE transactions SET sequence = 7 WHERE sequence = 2; UPDATE postings SET sequence = 7 WHERE sequence = 2; UPDATE obligations SET sequence = 7 WHERE sequence = 2", "sequence_gap_free")]
    [InlineData("UPDATE obligations SET amount_micros = amount_micros + 1", "obligations_match_conversions")]
    [InlineData("DELETE FROM obligations", "obligations_match_conversions")]
    [InlineData("DELETE FROM postings WHERE sequence = 1", "postings_reference_transactions")]
    [InlineData("UPDATE accounts SET balance_points = -1 WHERE member_number = 'a1'; UPDATE postings SET amount_points = -1 WHERE member_number = 'a1'", "member_balances_non_negative")]
    [InlineData("DELETE FROM events WHERE member_number = 'a1'", "events_match_postings")]
    [InlineData("UPDATE events SET points = points + 1 WHERE member_number = 's1'", "events_match_postings")]
    [InlineData("UPDATE events SET member_number = 'a2' WHERE member_number = 'a1'", "events_match_postings")]
    [InlineData("UPDATE postings SET member_number = 'a2' WHERE member_number = 'a1'", "postings_match_accounts")]
    [InlineData("UPDATE accounts SET kind = 2, balance_points = -1 WHERE member_number = 'a1'", "member_balances_non_negative")]
    [InlineData("UPDATE transactions SET counterparty_program_code = 'HOTEL' WHERE sequence = 2", "conversions_owe_their_counterparty")]
    [InlineData("UPDATE obligations SET amount_minor = amount_minor + 1", "obligations_in_minor_units")]
    public async Task Verify_BrokenInvariant_ReportsItsCheck(string corruption, string check)
    {
        await Ledger.ScalarAsync(corruption + "; SELECT 0");

        var verification = await Audit.VerifyAsync(default);

        Assert.False(verification.Ok);
        Assert.Contains(verification.Findings, f => f.Check == check);
    }

    [Fact]
    public async Task Verify_SettledLedgerWithReversalAndPayment_IsOk()
    {
        await SettleAsync();

        var verification = await Audit.VerifyAsync(default);

        Assert.True(verification.Ok, string.Join('\n', verification.Findings));
        Assert.Equal(1, verification.StatementCount);
        Assert.Equal(4, verification.TransactionCount);
    }

    [Theory]
    [InlineData("UPDATE statements SET gross_amount_micros = gross_amount_micros + 1", "statements_equal_their_lines")]
    [InlineData("UPDATE statements SET line_count = line_count - 1", "statements_equal_their_lines")]
    [InlineData("UPDATE obligations SET created_at_micros = (SELECT end_micros FROM settlement_periods) WHERE sequence = 2", "statements_equal_their_lines")]
    [InlineData("UPDATE obligations SET payer_program_code = 'HOTEL' WHERE sequence = 2", "statements_equal_their_lines")]
    [InlineData("UPDATE payments SET amount_minor = 1000000", "statements_equal_their_lines")]
    // The unique index is the first guard; the check is the second, for a database that lost the first.
    [InlineData("DROP INDEX IX_transactions_reverses_sequence; UPDATE transactions SET kind = 4, reverses_sequence = 3 WHERE sequence = 1", "reversals_unique")]
    [InlineData("UPDATE obligations SET amount_micros = 0, destination_points = 0 WHERE sequence = 4", "obligations_match_conversions")]
    [InlineData("UPDATE obligations SET currency_code = 'EUR' WHERE sequence = 4", "obligations_match_conversions")]
    [InlineData("UPDATE obligations SET currency_code = 'EUR' WHERE sequence = 2", "closed_periods_hold_their_obligations")]
    [InlineData("UPDATE settlement_periods SET first_sequence = last_sequence + 1", "closed_periods_hold_their_obligations")]
    [InlineData("UPDATE statements SET gross_amount_micros = gross_amount_micros + 1", "pairs_settle_their_obligations")]
    [InlineData("UPDATE statements SET amount_due_minor = 0", "pairs_settle_their_obligations")]
    [InlineData("UPDATE payments SET amount_minor = 100000", "statements_equal_their_lines")]
    [InlineData("UPDATE open_obligation_totals SET open_micros = open_micros + 1 WHERE program_code = 'SHOP'", "open_obligation_totals_match")]
    public async Task Verify_BrokenSettlement_ReportsItsCheck(string corruption, string check)
    {
        await SettleAsync();
        await Ledger.ScalarAsync(corruption + "; SELECT 0");

        var verification = await Audit.VerifyAsync(default);

        Assert.Contains(verification.Findings, f => f.Check == check);
    }

    [Fact]
    public async Task GetLiability_AfterRedemptionAndReversal_IsWhatMembersHold()
    {
        await Ledger.AcceptedAsync(Shop, new Redeem(Shop, "s1", 100, "reward"));
        await SettleAsync();

        var liability = await Audit.GetLiabilityAsync(Shop, Ledger.Clock.GetUtcNow(), default);
        var held = await Ledger.ScalarAsync($"SELECT SUM(balance_points) FROM accounts WHERE program_code = '{Shop}' AND kind = 1");

        Assert.Equal(500, liability!.OutstandingPoints);
        Assert.Equal(held, liability.OutstandingPoints);
    }

    [Fact]
    public async Task GetLiability_AsOfEachMoment_CountsOnlyEarlierTransactions()
    {
        // The set-up's transactions were stamped at the start; "as of" counts those strictly before it.
        Ledger.Clock.Advance(TimeSpan.FromMinutes(1));
        var before = Ledger.Clock.GetUtcNow();
        await Ledger.AccrueAsync(Shop, "s1", 250);
        Ledger.Clock.Advance(TimeSpan.FromMinutes(1));

        var then = await Audit.GetLiabilityAsync(Shop, before, default);
        var now = await Audit.GetLiabilityAsync(Shop, Ledger.Clock.GetUtcNow(), default);

        Assert.Equal(600, then!.OutstandingPoints);
        Assert.Equal(850, now!.OutstandingPoints);
        Assert.Equal(0, now.ExpiredPoints);
    }

    [Fact]
    public async Task Verify_EveryCheck_NeverScansATablePerRowOfAnother()
    {
        // A full scan inside a loop (a second scan in one join, or a scan in a correlated subquery) grows with the
        // square of the ledger: one such check once took over ten minutes on a million transactions.
        await using var connection = new SqliteConnection(Ledger.Database.ConnectionString);
        await connection.OpenAsync();
        var quadratic = new List<string>();
        foreach (var (check, sql) in LedgerInvariants.Checks)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = "EXPLAIN QUERY PLAN " + sql;
            var steps = new List<(int Id, int Parent, string Detail)>();
            await using (var reader = await command.ExecuteReaderAsync())
            {
                while (await reader.ReadAsync())
                {
                    steps.Add((reader.GetInt32(0), reader.GetInt32(1), reader.GetString(3)));
                }
            }
            quadratic.AddRange(NestedScans(steps).Select(step => $"{check}: {step}"));
        }

        Assert.True(quadratic.Count == 0, "Scans inside a loop:\n" + string.Join('\n', quadratic));
    }

    /// <summary>
    /// Table scans that run once per row of an outer loop: every scan of a join but its first (the steps of one
    /// query level share a parent), and any scan within a correlated subquery.
    /// </summary>
    private static IEnumerable<string> NestedScans(List<(int Id, int Parent, string Detail)> steps)
    {
        var byId = steps.ToDictionary(s => s.Id);
        bool WithinCorrelated(int parent) =>
            byId.TryGetValue(parent, out var step) && (step.Detail.StartsWith("CORRELATED", StringComparison.Ordinal) || WithinCorrelated(step.Parent));
        foreach (var level in steps.Where(s => s.Detail.StartsWith("SCAN ", StringComparison.Ordinal)).GroupBy(s => s.Parent))
        {
            var scans = level.Select(s => s.Detail).ToList();
            foreach (var inner in WithinCorrelated(level.Key) ? scans : scans.Skip(1))
            {
                yield return inner;
            }
        }
    }

    [Fact]
    public async Task GetLiability_UnknownProgram_IsNull() =>
        Assert.Null(await Audit.GetLiabilityAsync("NOPE", Ledger.Clock.GetUtcNow(), default));

    /// <summary>
    /// Converts again and reverses it (sequences 3 and 4 after the set-up's 1 and 2), closes a period over
    /// all of it (one statement SHOP → AIR of three lines) and pays part of that statement.
    /// </summary>
    private async Task SettleAsync()
    {
        var start = Ledger.Clock.GetUtcNow().AddHours(-1);
        var converted = await Ledger.AcceptedAsync(Shop, new ConvertPoints(Shop, "s1", Air, "a1", 200, null, "convert again"));
        await Ledger.AcceptedAsync(Shop, new Reverse(Shop, Responses.TransactionIdOf(converted), "undo"));
        Ledger.Clock.Advance(TimeSpan.FromMinutes(1));
        await Ledger.AcceptedAsync(IdempotencyScope.OperatorPrincipal, new ClosePeriod(start, Ledger.Clock.GetUtcNow(), 0));
        var statementId = (await Ledger.QueryAsync("SELECT statement_id FROM statements", r => r.GetString(0))).Single();
        await Ledger.AcceptedAsync(IdempotencyScope.OperatorPrincipal, new RecordPayment(statementId, "USD", 100, "wire 1"));
    }
}
