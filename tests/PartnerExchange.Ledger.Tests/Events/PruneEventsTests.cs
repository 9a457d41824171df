using PartnerExchange.Ledger.Events;
using PartnerExchange.Ledger.Tests.Infrastructure;
using PartnerExchange.Ledger.Writing;
using static PartnerExchange.Ledger.Tests.Infrastructure.LedgerHarness;

namespace PartnerExchange.Ledger.Tests.Events;

/// <summary>Event retention on the writer: always a prefix of the outbox in cursor order, never an event too young.</summary>
public sealed class PruneEventsTests : LedgerTest
{
    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await Ledger.CreatePartnerAsync(Air);
        await Ledger.CreatePartnerAsync(Hotel);
        await Ledger.EnrollAsync(Air, "m1");
        await Ledger.EnrollAsync(Hotel, "h1");
    }

    [Fact]
    public async Task PruneEvents_StopsAtTheFirstEventNotOldEnough()
    {
        await Ledger.AccrueAsync(Air, "m1", 10);
        await Ledger.AccrueAsync(Hotel, "h1", 20);
        var cutoff = Ledger.Clock.GetUtcNow().AddTicks(10);
        Ledger.Clock.Advance(TimeSpan.FromMinutes(1));
        await Ledger.AccrueAsync(Air, "m1", 30);

        await Ledger.AcceptedAsync(IdempotencyScope.OperatorPrincipal, new PruneEvents(cutoff, 100));

        Assert.Equal(1, await Ledger.ScalarAsync("SELECT COUNT(*) FROM events"));
        Assert.Equal(30, await Ledger.ScalarAsync("SELECT points FROM events"));
        var newestOld = await Ledger.ScalarAsync("SELECT MIN(cursor) - 1 FROM events");
        Assert.Equal(newestOld, await PrunedThroughAsync(""));
    }

    [Fact]
    public async Task PruneEvents_InBatches_RemovesAPrefixAndRecordsEachProgramsNewestRemovedEvent()
    {
        await Ledger.AccrueAsync(Air, "m1", 10);
        await Ledger.AccrueAsync(Hotel, "h1", 20);
        await Ledger.AccrueAsync(Air, "m1", 30);
        var hotelCursor = await Ledger.ScalarAsync("SELECT MAX(cursor) FROM events WHERE program_code = $p", ("$p", Hotel));
        var olderThan = Ledger.Clock.GetUtcNow().AddMinutes(1);

        await Ledger.AcceptedAsync(IdempotencyScope.OperatorPrincipal, new PruneEvents(olderThan, 2));

        // The first batch took the two oldest: one of each program; the newest Air event stays.
        Assert.Equal(30, await Ledger.ScalarAsync("SELECT points FROM events"));
        Assert.Equal(hotelCursor, await PrunedThroughAsync(Hotel));
        Assert.True(await PrunedThroughAsync(Air) < hotelCursor);

        await Ledger.AcceptedAsync(IdempotencyScope.OperatorPrincipal, new PruneEvents(olderThan, 2));

        Assert.Equal(0, await Ledger.ScalarAsync("SELECT COUNT(*) FROM events"));
        Assert.True(await PrunedThroughAsync(Air) > hotelCursor);
    }

    [Fact]
    public async Task PruneEvents_NothingOldEnough_ChangesNothing()
    {
        await Ledger.AccrueAsync(Air, "m1", 10);

        await Ledger.AcceptedAsync(IdempotencyScope.OperatorPrincipal, new PruneEvents(Ledger.Clock.GetUtcNow().AddDays(-1), 100));

        Assert.Equal(1, await Ledger.ScalarAsync("SELECT COUNT(*) FROM events"));
        Assert.Equal(0, await Ledger.ScalarAsync("SELECT COUNT(*) FROM event_retention"));
    }

    private Task<long> PrunedThroughAsync(string program) =>
        Ledger.ScalarAsync("SELECT COALESCE(MAX(pruned_through_cursor), 0) FROM event_retention WHERE program_code = $p", ("$p", program));
}
