using PartnerExchange.Domain;
using PartnerExchange.Ledger.Commands;
using PartnerExchange.Ledger.Tests.Infrastructure;
using PartnerExchange.Ledger.Writing;
using static PartnerExchange.Ledger.Tests.Infrastructure.LedgerHarness;

namespace PartnerExchange.Ledger.Tests.Writing;

/// <summary>
/// The ledger's own exactly-once guard: one record per (principal, key), committed with the effect, replayed
/// byte for byte, refusing a key reused for a different request.
/// </summary>
public sealed class IdempotencyTests : LedgerTest
{
    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await Ledger.CreatePartnerAsync(Air);
        await Ledger.CreatePartnerAsync(Hotel);
        await Ledger.EnrollAsync(Air, "m1");
    }

    [Fact]
    public async Task WriteAsync_SameKeyTwiceInOneGroup_SecondIsReplayWithIdenticalBytes()
    {
        var scope = Scope(Air, "accrue-once");
        var gate = new WriterGate();
        var held = Ledger.Hold(gate);
        await gate.Entered;
        var first = Ledger.Submit(scope, Ledger.AccrueCommand(Air, "m1", 100));
        var second = Ledger.Submit(scope, Ledger.AccrueCommand(Air, "m1", 100));
        gate.Release();
        await held;

        var (one, two) = ((await first).Value, (await second).Value);
        Assert.False(one.Replayed);
        Assert.True(two.Replayed);
        Assert.False(two.Response.IsRefusal);
        Assert.Equal(one.Response.Payload, two.Response.Payload);
        Assert.Equal(1, await Ledger.ScalarAsync("SELECT COUNT(*) FROM transactions"));
        Assert.Equal(100, (await Ledger.Queries.GetAccountAsync(Air, "m1", default))!.BalancePoints);
    }

    [Fact]
    public async Task WriteAsync_SameKeyInALaterGroup_ReplaysWithoutExecuting()
    {
        var scope = Scope(Air, "accrue-once");
        var first = (await Ledger.Submit(scope, Ledger.AccrueCommand(Air, "m1", 100))).Value;
        await Ledger.AccrueAsync(Air, "m1", 1);

        var second = (await Ledger.Submit(scope, Ledger.AccrueCommand(Air, "m1", 100))).Value;

        Assert.True(second.Replayed);
        Assert.Equal(first.Response.Payload, second.Response.Payload);
        // The replay still reports sequence 1 and the balance of the time, not what a re-execution would give.
        Assert.Equal(1, Responses.SequenceOf(second.Response));
        Assert.Equal(100, Responses.BalanceOf(second.Response));
        Assert.Equal(2, await Ledger.ScalarAsync("SELECT COUNT(*) FROM transactions"));
        Assert.Equal(101, (await Ledger.Queries.GetAccountAsync(Air, "m1", default))!.BalancePoints);
    }

    [Fact]
    public async Task WriteAsync_SameKeyDifferentFingerprint_RefusedIdempotencyKeyReusedAndNotStored()
    {
        await Ledger.Submit(Scope(Air, "k", fingerprint: "accrue 100"), Ledger.AccrueCommand(Air, "m1", 100));

        var reused = await Ledger.Submit(Scope(Air, "k", fingerprint: "accrue 500"), Ledger.AccrueCommand(Air, "m1", 500));

        Assert.False(reused.IsSuccess);
        Assert.Equal(ErrorReason.IdempotencyKeyReused, reused.Refusal.Reason);
        Assert.Equal(1, await Ledger.ScalarAsync("SELECT COUNT(*) FROM transactions"));
        Assert.Equal(100, (await Ledger.Queries.GetAccountAsync(Air, "m1", default))!.BalancePoints);
        Assert.Equal(1, await Ledger.ScalarAsync("SELECT COUNT(*) FROM idempotency_records WHERE principal = $p AND idempotency_key = 'k'", ("$p", Air)));
        // The record still holds the first request, which keeps replaying.
        var again = await Ledger.Submit(Scope(Air, "k", fingerprint: "accrue 100"), Ledger.AccrueCommand(Air, "m1", 100));
        Assert.True(again.Value.Replayed);
    }

    [Fact]
    public async Task WriteAsync_SameKeyAndFingerprintForAnotherMethod_RefusedIdempotencyKeyReused()
    {
        await Ledger.Submit(Scope(Air, "k", method: "/px/Accrue", fingerprint: "same"), Ledger.AccrueCommand(Air, "m1", 100));

        var reused = await Ledger.Submit(Scope(Air, "k", method: "/px/Redeem", fingerprint: "same"), new Redeem(Air, "m1", 10, "r"));

        Assert.Equal(ErrorReason.IdempotencyKeyReused, reused.Refusal.Reason);
        Assert.Equal(100, (await Ledger.Queries.GetAccountAsync(Air, "m1", default))!.BalancePoints);
    }

    [Fact]
    public async Task WriteAsync_SameKeyDifferentFingerprintInOneGroup_SecondRefusedAndNotStored()
    {
        var gate = new WriterGate();
        var held = Ledger.Hold(gate);
        await gate.Entered;
        var first = Ledger.Submit(Scope(Air, "k", fingerprint: "accrue 100"), Ledger.AccrueCommand(Air, "m1", 100));
        var second = Ledger.Submit(Scope(Air, "k", fingerprint: "accrue 500"), Ledger.AccrueCommand(Air, "m1", 500));
        gate.Release();
        await held;

        Assert.False((await first).Value.Replayed);
        Assert.Equal(ErrorReason.IdempotencyKeyReused, (await second).Refusal.Reason);
        Assert.Equal(100, (await Ledger.Queries.GetAccountAsync(Air, "m1", default))!.BalancePoints);
        Assert.Equal(1, await Ledger.ScalarAsync("SELECT COUNT(*) FROM idempotency_records WHERE principal = $p AND idempotency_key = 'k'", ("$p", Air)));
    }

    [Fact]
    public async Task WriteAsync_RefusedRequestRetriedAfterItWouldSucceed_ReplaysTheStoredRefusal()
    {
        var scope = Scope(Air, "redeem-50");
        var first = (await Ledger.Submit(scope, new Redeem(Air, "m1", 50, "r"))).Value;
        await Ledger.AccrueAsync(Air, "m1", 1_000);

        var retry = (await Ledger.Submit(scope, new Redeem(Air, "m1", 50, "r"))).Value;

        Assert.Equal(ErrorReason.InsufficientPoints, Responses.ReasonOf(first.Response));
        Assert.False(first.Replayed);
        Assert.True(retry.Replayed);
        Assert.True(retry.Response.IsRefusal);
        Assert.Equal(first.Response.Payload, retry.Response.Payload);
        Assert.Equal(1_000, (await Ledger.Queries.GetAccountAsync(Air, "m1", default))!.BalancePoints);
        Assert.Equal(1, await Ledger.ScalarAsync(
            "SELECT is_refusal FROM idempotency_records WHERE principal = $p AND idempotency_key = 'redeem-50'", ("$p", Air)));
    }

    [Fact]
    public async Task WriteAsync_RefusalAboutTheExchangeState_IsRecorded()
    {
        var refused = (await Ledger.Submit(Scope(Air, "k"), new Redeem(Air, "m1", 50, "r"))).Value;

        Assert.True(refused.Recorded);
        Assert.Equal(1, await Ledger.ScalarAsync("SELECT COUNT(*) FROM idempotency_records WHERE principal = $p AND idempotency_key = 'k'", ("$p", Air)));
    }

    [Fact]
    public async Task WriteAsync_RefusalOfBadInput_NotRecordedSoTheCorrectedRequestMayReuseTheKey()
    {
        // AIR has no earn rule, so a purchase cannot be turned into points: CURRENCY_MISMATCH, an input error.
        var purchase = new Accrue(Air, "m1", null, 10_000, "USD", 1, "purchase", Ledger.Options.MaxPointsPerTransaction);
        var refused = (await Ledger.Submit(Scope(Air, "k", fingerprint: "purchase"), purchase)).Value;

        var corrected = (await Ledger.Submit(Scope(Air, "k", fingerprint: "points"), Ledger.AccrueCommand(Air, "m1", 100))).Value;

        Assert.Equal(ErrorReason.CurrencyMismatch, Responses.ReasonOf(refused.Response));
        Assert.False(refused.Recorded);
        Assert.False(corrected.Replayed);
        Assert.True(corrected.Recorded);
        Assert.Equal(1, Responses.SequenceOf(corrected.Response));
    }

    [Fact]
    public async Task WriteAsync_SameKeyUnderAnotherPrincipal_ExecutesBoth()
    {
        await Ledger.EnrollAsync(Hotel, "h1");

        var air = (await Ledger.Submit(Scope(Air, "shared-key"), Ledger.AccrueCommand(Air, "m1", 10))).Value;
        var hotel = (await Ledger.Submit(Scope(Hotel, "shared-key"), Ledger.AccrueCommand(Hotel, "h1", 20))).Value;

        Assert.False(air.Replayed);
        Assert.False(hotel.Replayed);
        Assert.Equal([1L, 2L], await Ledger.SequencesAsync());
    }

    [Fact]
    public async Task WriteAsync_OperatorCommandRetried_ReplaysWithoutCreatingTwice()
    {
        var scope = Scope(IdempotencyScope.OperatorPrincipal, "create-shop");
        var command = new CreatePartner(Shop, "Shop", "Shop Points", PartnerKind.Retailer, "EUR", 5_000, null);

        var first = (await Ledger.Submit(scope, command)).Value;
        var retry = (await Ledger.Submit(scope, command)).Value;

        Assert.False(first.Response.IsRefusal);
        Assert.True(retry.Replayed);
        Assert.Equal(first.Response.Payload, retry.Response.Payload);
        // A fresh key is a new request, refused because the code is taken.
        var duplicate = await Ledger.ResponseAsync(IdempotencyScope.OperatorPrincipal, command);
        Assert.Equal(ErrorReason.ProgramCodeTaken, Responses.ReasonOf(duplicate));
    }
}
