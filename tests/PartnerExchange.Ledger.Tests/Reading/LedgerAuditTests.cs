using PartnerExchange.Domain.Rates;
using PartnerExchange.Ledger.Commands;
using PartnerExchange.Ledger.Reading;
using PartnerExchange.Ledger.Tests.Infrastructure;
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
        await Ledger.CreatePartnerAsync(Air);
        await Ledger.CreatePartnerAsync(Shop);
        await Ledger.SetRateAsync(Shop, Air, new ExchangeRateTerms(1, 1, 1, 1_000_000, 1, 0, 0, null, null));
        await Ledger.EnrollAsync(Shop, "s1");
        await Ledger.EnrollAsync(Air, "a1");
        await Ledger.AccrueAsync(Shop, "s1", 1_000);
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
    [InlineData("UPDATE transactions SET sequence = 7 WHERE sequence = 2; UPDATE postings SET sequence = 7 WHERE sequence = 2; UPDATE obligations SET sequence = 7 WHERE sequence = 2", "sequence_gap_free")]
    [InlineData("UPDATE obligations SET amount_micros = amount_micros + 1", "obligations_match_conversions")]
    [InlineData("DELETE FROM obligations", "obligations_match_conversions")]
    [InlineData("DELETE FROM postings WHERE sequence = 1", "postings_reference_transactions")]
    [InlineData("UPDATE accounts SET balance_points = -1 WHERE member_number = 'a1'; UPDATE postings SET amount_points = -1 WHERE member_number = 'a1'", "member_balances_non_negative")]
    public async Task Verify_BrokenInvariant_ReportsItsCheck(string corruption, string check)
    {
        await Ledger.ScalarAsync(corruption + "; SELECT 0");

        var verification = await Audit.VerifyAsync(default);

        Assert.False(verification.Ok);
        Assert.Contains(verification.Findings, f => f.Check == check);
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
    public async Task GetLiability_UnknownProgram_IsNull() =>
        Assert.Null(await Audit.GetLiabilityAsync("NOPE", Ledger.Clock.GetUtcNow(), default));
}
