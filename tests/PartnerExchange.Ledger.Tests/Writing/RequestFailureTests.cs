using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using PartnerExchange.Domain;
using PartnerExchange.Domain.Ledger;
using PartnerExchange.Ledger.Commands;
using PartnerExchange.Ledger.Tests.Infrastructure;
using PartnerExchange.Ledger.Writing;
using static PartnerExchange.Ledger.Tests.Infrastructure.LedgerHarness;

namespace PartnerExchange.Ledger.Tests.Writing;

/// <summary>
/// A request that throws (a bug, not a refusal) fails alone: its group commits without it, nothing it wrote
/// remains, its key stays free, and the writer logs it as critical.
/// </summary>
public sealed class RequestFailureTests : LedgerTest
{
    private const int RequestFailedEventId = 2001;
    private const int GroupFailedEventId = 2002;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await Ledger.CreatePartnerAsync(Air);
        await Ledger.EnrollAsync(Air, "m1");
    }

    [Fact]
    public async Task WriteAsync_CommandThrowsInsideAGroup_OthersInTheGroupCommit()
    {
        var (before, exploding, after) = await AroundAsync(
            () => Ledger.Submit(Scope(Air, "explode"), new ExplodingAccrual(Air, "m1", "ghost", 1_000)));

        await Assert.ThrowsAsync<InvalidOperationException>(() => exploding);
        Assert.Equal(1, Responses.SequenceOf((await before).Value.Response));
        Assert.Equal(2, Responses.SequenceOf((await after).Value.Response));
        Assert.Equal([1L, 2L], await Ledger.SequencesAsync());
        Assert.Equal(30, (await Ledger.Queries.GetAccountAsync(Air, "m1", default))!.BalancePoints);
        TakeRequestFailedLog();
    }

    [Fact]
    public async Task WriteAsync_AccrualThatWouldOverflowTheAccountsAccruedTotal_IsRefusedAndChangesNothing()
    {
        await Ledger.AcceptedAsync(Air, Ledger.AccrueCommand(Air, "m1", 100));
        // A long-lived system account gets here for real; SQLite would silently turn the sum into a float.
        await Ledger.ScalarAsync($"UPDATE accounts SET accrual_credit_points = {long.MaxValue - 50} WHERE member_number = 'm1'; SELECT 0");

        var overflowing = await Ledger.ResponseAsync(Air, Ledger.AccrueCommand(Air, "m1", 51));

        Assert.Equal(ErrorReason.BalanceOverflow, Responses.ReasonOf(overflowing));
        Assert.Equal([1L], await Ledger.SequencesAsync());
        var account = (await Ledger.Queries.GetAccountAsync(Air, "m1", default))!;
        Assert.Equal(100, account.BalancePoints);
        Assert.Equal(long.MaxValue - 50, account.Totals[TransactionKind.Accrual].CreditPoints);
    }

    [Fact]
    public async Task WriteAsync_CommandThrowsAfterWriting_NothingItWroteRemains()
    {
        var (before, exploding, after) = await AroundAsync(
            () => Ledger.Submit(Scope(Air, "explode"), new ExplodingAccrual(Air, "m1", "ghost", 1_000)));
        await Task.WhenAll(before, after);
        await Assert.ThrowsAsync<InvalidOperationException>(() => exploding);

        Assert.Equal(0, await Ledger.ScalarAsync("SELECT COUNT(*) FROM transactions WHERE reference = $r", ("$r", ExplodingAccrual.Reference)));
        Assert.False(await Ledger.Queries.IsEnrolledAsync(Air, "ghost", default));
        Assert.Equal(4, await Ledger.ScalarAsync("SELECT COUNT(*) FROM postings"));
        Assert.Equal(0, await Ledger.ScalarAsync(
            "SELECT COUNT(*) FROM idempotency_records WHERE principal = $p AND idempotency_key = 'explode'", ("$p", Air)));
        TakeRequestFailedLog();
    }

    [Fact]
    public async Task WriteAsync_RetryOfARequestThatThrew_Executes()
    {
        var scope = Scope(Air, "explode");
        await Assert.ThrowsAsync<InvalidOperationException>(() => Ledger.Submit(scope, new ExplodingAccrual(Air, "m1", "ghost", 1_000)));

        var retry = await Ledger.Submit(scope, Ledger.AccrueCommand(Air, "m1", 1_000));

        Assert.False(retry.Value.Replayed);
        Assert.Equal(1, Responses.SequenceOf(retry.Value.Response));
        Assert.Equal(1_000, (await Ledger.Queries.GetAccountAsync(Air, "m1", default))!.BalancePoints);
        TakeRequestFailedLog();
    }

    [Fact]
    public async Task WriteAsync_EncoderThrows_RequestFailsAloneAndLeavesNothing()
    {
        var (before, broken, after) = await AroundAsync(() => Ledger.Writer.WriteAsync(
            Scope(Air, "broken-encoder"), Ledger.AccrueCommand(Air, "m1", 1_000, "broken"),
            _ => throw new FormatException("The encoder broke."), default));

        await Assert.ThrowsAsync<FormatException>(() => broken);
        Assert.Equal([1L, 2L], await Ledger.SequencesAsync());
        Assert.Equal(0, await Ledger.ScalarAsync("SELECT COUNT(*) FROM transactions WHERE reference = 'broken'"));
        Assert.Equal(30, (await Ledger.Queries.GetAccountAsync(Air, "m1", default))!.BalancePoints);
        await Task.WhenAll(before, after);
        TakeRequestFailedLog();
    }

    [Fact]
    public async Task WriteAsync_EncoderContradictingARefusal_FailsLoudlyAndLeavesNoTrace()
    {
        // An encoder that stores a refusal as a success would make the stored response contradict the
        // ledger: a programmer error, refused loudly, with everything the command wrote undone.
        var recordsBefore = await Ledger.ScalarAsync("SELECT COUNT(*) FROM idempotency_records");
        var write = Ledger.Writer.WriteAsync(
            Scope(Air, "redeem"), new Redeem(Air, "m1", 50, "unaffordable"), _ => new StoredResponse(false, []), default);

        await Assert.ThrowsAsync<InvalidOperationException>(() => write);
        Assert.Equal(0, await Ledger.ScalarAsync("SELECT COUNT(*) FROM transactions"));
        Assert.Equal(recordsBefore, await Ledger.ScalarAsync("SELECT COUNT(*) FROM idempotency_records"));
        var logged = Assert.Single(Ledger.Log.TakeErrors());
        Assert.Equal(LogLevel.Critical, logged.Level);
        Assert.Equal(1, Responses.SequenceOf(await Ledger.AccrueAsync(Air, "m1", 10)));
    }

    [Fact]
    public async Task WriteAsync_DiskFullInsideAGroup_WholeGroupFailsAndNothingCommits()
    {
        var (before, full, after) = await AroundAsync(() => Ledger.Submit(Air, new DiskFull()));

        // SQLITE_FULL is not one request's fault: no request of the group is acknowledged.
        foreach (var write in new[] { before, full, after })
        {
            var failure = await Assert.ThrowsAsync<SqliteException>(() => write);
            Assert.Equal(DiskFull.SqliteFull, failure.SqliteErrorCode);
        }
        Assert.Equal(0, await Ledger.ScalarAsync("SELECT COUNT(*) FROM transactions"));
        var failed = Assert.Single(Ledger.Log.TakeErrors());
        Assert.Equal((LogLevel.Error, GroupFailedEventId), (failed.Level, failed.EventId.Id));
        // The writer carries on with the next group, from sequence 1.
        Assert.Equal(1, Responses.SequenceOf(await Ledger.AccrueAsync(Air, "m1", 5)));
    }

    /// <summary>Queues the middle request between accruals of 10 and 20 points, all three in one group.</summary>
    private async Task<(Task<Outcome<WriteReceipt>> Before, Task<Outcome<WriteReceipt>> Middle, Task<Outcome<WriteReceipt>> After)> AroundAsync(
        Func<Task<Outcome<WriteReceipt>>> submitMiddle)
    {
        var gate = new WriterGate();
        var held = Ledger.Hold(gate);
        await gate.Entered;
        var before = Ledger.Submit(Air, Ledger.AccrueCommand(Air, "m1", 10, "before"));
        var middle = submitMiddle();
        var after = Ledger.Submit(Air, Ledger.AccrueCommand(Air, "m1", 20, "after"));
        gate.Release();
        Assert.True((await held).IsSuccess);
        return (before, middle, after);
    }

    private void TakeRequestFailedLog()
    {
        var errors = Ledger.Log.TakeErrors();
        var failed = Assert.Single(errors);
        Assert.Equal(LogLevel.Critical, failed.Level);
        Assert.Equal(RequestFailedEventId, failed.EventId.Id);
    }
}
