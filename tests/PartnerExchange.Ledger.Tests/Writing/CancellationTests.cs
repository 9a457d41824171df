using PartnerExchange.Ledger.Tests.Infrastructure;
using static PartnerExchange.Ledger.Tests.Infrastructure.LedgerHarness;

namespace PartnerExchange.Ledger.Tests.Writing;

/// <summary>A request whose caller has gone by the time the writer reaches it is dropped before any work.</summary>
public sealed class CancellationTests : LedgerTest
{
    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await Ledger.CreatePartnerAsync(Air);
        await Ledger.EnrollAsync(Air, "m1");
    }

    [Fact]
    public async Task WriteAsync_TokenAlreadyCancelled_NotExecuted()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        var write = Ledger.Submit(Scope(Air, "k"), Ledger.AccrueCommand(Air, "m1", 100), cancelled.Token);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => write);
        Assert.Equal(0, await Ledger.ScalarAsync("SELECT COUNT(*) FROM transactions"));
        Assert.Equal(0, await Ledger.ScalarAsync("SELECT COUNT(*) FROM idempotency_records WHERE principal = $p AND idempotency_key = 'k'", ("$p", Air)));
    }

    [Fact]
    public async Task WriteAsync_TokenCancelledWhileQueued_NotExecutedAndOthersCommit()
    {
        using var caller = new CancellationTokenSource();
        var gate = new WriterGate();
        var held = Ledger.Hold(gate);
        await gate.Entered;
        var before = Ledger.Submit(Air, Ledger.AccrueCommand(Air, "m1", 10));
        var cancelled = Ledger.Submit(Scope(Air, "k"), Ledger.AccrueCommand(Air, "m1", 100, "cancelled"), caller.Token);
        var after = Ledger.Submit(Air, Ledger.AccrueCommand(Air, "m1", 20));
        await caller.CancelAsync();
        gate.Release();
        await held;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        Assert.Equal(1, Responses.SequenceOf((await before).Value.Response));
        Assert.Equal(2, Responses.SequenceOf((await after).Value.Response));
        Assert.Equal(0, await Ledger.ScalarAsync("SELECT COUNT(*) FROM transactions WHERE reference = 'cancelled'"));
        Assert.Equal(30, (await Ledger.Queries.GetAccountAsync(Air, "m1", default))!.BalancePoints);
    }

    [Fact]
    public async Task WriteAsync_RetryAfterCancelledRequest_Executes()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => Ledger.Submit(Scope(Air, "k"), Ledger.AccrueCommand(Air, "m1", 100), cancelled.Token));

        var retry = await Ledger.Submit(Scope(Air, "k"), Ledger.AccrueCommand(Air, "m1", 100));

        Assert.False(retry.Value.Replayed);
        Assert.Equal(1, Responses.SequenceOf(retry.Value.Response));
    }
}
