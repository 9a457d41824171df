using System.ComponentModel.DataAnnotations;
using PartnerExchange.Ledger.Commands;
using PartnerExchange.Ledger.Tests.Infrastructure;
using PartnerExchange.Ledger.Writing;
using static PartnerExchange.Ledger.Tests.Infrastructure.LedgerHarness;

namespace PartnerExchange.Ledger.Tests.Writing;

/// <summary>One caller's flood neither turns the other callers away nor makes them wait behind it.</summary>
public sealed class FairQueueTests : LedgerTest
{
    internal override void Configure(LedgerOptions options)
    {
        options.WriteQueueCapacity = 8;
        options.WriteQueueCapacityPerCaller = 3;
        options.MaxGroupSize = 2;
    }

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        foreach (var program in new[] { Air, Hotel, Shop })
        {
            await Ledger.CreatePartnerAsync(program);
            await Ledger.EnrollAsync(program, "m1");
        }
    }

    [Fact]
    public async Task WriteAsync_CallerShareFull_TurnsAwayThatCallerOnly()
    {
        var gate = new WriterGate();
        var held = Ledger.Hold(gate);
        await gate.Entered;
        var air = Enumerable.Range(0, 3).Select(i => Ledger.Submit(Air, Ledger.AccrueCommand(Air, "m1", 1))).ToList();

        Assert.Throws<LedgerBusyException>(() => { _ = Ledger.Submit(Scope(Air, "over-share"), Ledger.AccrueCommand(Air, "m1", 100)); });
        var hotel = Ledger.Submit(Hotel, Ledger.AccrueCommand(Hotel, "m1", 7));

        gate.Release();
        await held;
        Assert.All(await Task.WhenAll([.. air, hotel]), outcome => Assert.False(outcome.Value.Response.IsRefusal));
        Assert.Equal(3, (await Ledger.Queries.GetAccountAsync(Air, "m1", default))!.BalancePoints);
        Assert.Equal(7, (await Ledger.Queries.GetAccountAsync(Hotel, "m1", default))!.BalancePoints);
        // The turned-away request left nothing behind: its retry executes.
        Assert.False((await Ledger.Submit(Scope(Air, "over-share"), Ledger.AccrueCommand(Air, "m1", 100))).Value.Replayed);
    }

    [Fact]
    public async Task WriteAsync_OneOperatorKeysShareFull_AnotherOperatorKeyStillGetsIn()
    {
        var gate = new WriterGate();
        var held = Ledger.Hold(gate);
        await gate.Entered;
        var first = Enumerable.Range(0, 3).Select(_ => Ledger.Submit(OperatorScope("ops-key-1"), Adjustment(1))).ToList();

        Assert.Throws<LedgerBusyException>(() => { _ = Ledger.Submit(OperatorScope("ops-key-1"), Adjustment(100)); });
        var second = Ledger.Submit(OperatorScope("ops-key-2"), Adjustment(7));

        gate.Release();
        await held;
        Assert.All(await Task.WhenAll([.. first, second]), outcome => Assert.False(outcome.Value.Response.IsRefusal));
        Assert.Equal(10, (await Ledger.Queries.GetAccountAsync(Air, "m1", default))!.BalancePoints);
    }

    [Fact]
    public async Task WriteAsync_WholeQueueFull_TurnsAwayEveryCaller()
    {
        var gate = new WriterGate();
        var held = Ledger.Hold(gate);
        await gate.Entered;
        var queued = new List<Task<Domain.Outcome<WriteReceipt>>>();
        foreach (var (caller, requests) in new[] { (Air, 3), (Hotel, 3), (Shop, 2) })
        {
            queued.AddRange(Enumerable.Range(0, requests).Select(_ => Ledger.Submit(caller, Ledger.AccrueCommand(caller, "m1", 1))));
        }

        // Eight waiting fill the queue although no caller is over its share of three.
        Assert.Throws<LedgerBusyException>(() => { _ = Ledger.Submit(Scope(Shop, "turned-away"), Ledger.AccrueCommand(Shop, "m1", 1)); });

        gate.Release();
        await held;
        await Task.WhenAll(queued);
        Assert.Equal(Enumerable.Range(1, 8).Select(i => (long)i), await Ledger.SequencesAsync());
    }

    [Fact]
    public async Task WriteAsync_BacklogOfOneCaller_OtherCallerTakenBeforeTheBacklogsSecondRequest()
    {
        var gate = new WriterGate();
        var held = Ledger.Hold(gate);
        await gate.Entered;
        var air = Enumerable.Range(0, 3).Select(i => Ledger.Submit(Air, Ledger.AccrueCommand(Air, "m1", 1))).ToList();
        var hotel = Ledger.Submit(Hotel, Ledger.AccrueCommand(Hotel, "m1", 1));

        gate.Release();
        await held;

        // Groups of two: Air's first and Hotel's, then the rest of Air's backlog in its own order.
        var sequences = new[] { await air[0], await hotel, await air[1], await air[2] }.Select(Sequence);
        Assert.Equal([1L, 2L, 3L, 4L], sequences);
    }

    [Theory]
    [InlineData(4096, 1024)]
    [InlineData(8, 8)]
    [InlineData(1, 1)]
    public void Accepts_ShareWithinTheQueue(int capacity, int perCaller) =>
        Assert.Empty(Validate(new LedgerOptions { DatabasePath = "x.db", WriteQueueCapacity = capacity, WriteQueueCapacityPerCaller = perCaller }));

    [Theory]
    [InlineData(8, 9)]
    [InlineData(1, 1024)]
    public void Rejects_ShareLargerThanTheQueue(int capacity, int perCaller)
    {
        var error = Assert.Single(Validate(new LedgerOptions { DatabasePath = "x.db", WriteQueueCapacity = capacity, WriteQueueCapacityPerCaller = perCaller }));
        Assert.Equal([nameof(LedgerOptions.WriteQueueCapacityPerCaller)], error.MemberNames);
    }

    // Operators share one idempotency scope; their keys tell them apart in the queue.
    private IdempotencyScope OperatorScope(string apiKeyId) =>
        new(IdempotencyScope.OperatorPrincipal, null, apiKeyId, Ledger.NextKey(), TestMethod, [1]);

    private static AdjustBalance Adjustment(long points) => new(Air, "m1", points, "queue share test");

    private static long Sequence(Domain.Outcome<WriteReceipt> outcome) => Responses.SequenceOf(outcome.Value.Response);

    private static List<ValidationResult> Validate(LedgerOptions options)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        return results;
    }
}
