using PartnerExchange.Ledger.Tests.Infrastructure;
using PartnerExchange.Ledger.Writing;
using static PartnerExchange.Ledger.Tests.Infrastructure.LedgerHarness;

namespace PartnerExchange.Ledger.Tests.Writing;

/// <summary>A full write queue refuses new writes at once instead of growing without bound.</summary>
public sealed class BackPressureTests : LedgerTest
{
    internal override void Configure(LedgerOptions options) => options.WriteQueueCapacity = 1;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await Ledger.CreatePartnerAsync(Air);
        await Ledger.EnrollAsync(Air, "m1");
    }

    [Fact]
    public async Task WriteAsync_QueueFullWhileWriterBusy_ThrowsLedgerBusy()
    {
        var gate = new WriterGate();
        var held = Ledger.Hold(gate);
        await gate.Entered;
        var queued = Ledger.Submit(Air, Ledger.AccrueCommand(Air, "m1", 1));

        // Every further call is turned away at once (thrown by the call itself, not a faulted task) while
        // the one slot is taken.
        for (var i = 0; i < 10; i++)
        {
            Assert.Throws<LedgerBusyException>(() => { _ = Ledger.Submit(Scope(Air, $"busy-{i}"), Ledger.AccrueCommand(Air, "m1", 1_000)); });
        }

        gate.Release();
        await held;
        Assert.False((await queued).Value.Response.IsRefusal);
        Assert.Equal([1L], await Ledger.SequencesAsync());
    }

    [Fact]
    public async Task WriteAsync_AfterTheWriterIsReleased_QueueDrainsAndAcceptsAgain()
    {
        var gate = new WriterGate();
        var held = Ledger.Hold(gate);
        await gate.Entered;
        var queued = Ledger.Submit(Air, Ledger.AccrueCommand(Air, "m1", 1));
        Assert.Throws<LedgerBusyException>(() => { _ = Ledger.Submit(Scope(Air, "turned-away"), Ledger.AccrueCommand(Air, "m1", 2)); });

        gate.Release();
        await Task.WhenAll(held, queued);
        // The turned-away request left no idempotency record: its retry executes.
        var retry = await Ledger.Submit(Scope(Air, "turned-away"), Ledger.AccrueCommand(Air, "m1", 2));

        Assert.False(retry.Value.Replayed);
        Assert.Equal([1L, 2L], await Ledger.SequencesAsync());
        Assert.Equal(3, (await Ledger.Queries.GetAccountAsync(Air, "m1", default))!.BalancePoints);
    }
}
