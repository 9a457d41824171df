using PartnerExchange.Domain.Expiry;
using PartnerExchange.Domain.Ledger;
using PartnerExchange.Domain.Points;
using PartnerExchange.Domain.Rates;
using PartnerExchange.Ledger.Commands;
using PartnerExchange.Ledger.Tests.Infrastructure;
using PartnerExchange.Ledger.Writing;
using static PartnerExchange.Ledger.Tests.Infrastructure.LedgerHarness;

namespace PartnerExchange.Ledger.Tests.Reading;

/// <summary>
/// The per-request reads run as plain SQL on pooled connections; the list reads still go through EF Core.
/// Each hot read must give exactly the record its EF counterpart gives for the same row.
/// </summary>
public sealed class HotReadsTests : LedgerTest
{
    private static readonly ExchangeRateTerms AirToHotel = new(10, 8, 10, 10_000, 10, 2, 0, null, null);

    [Fact]
    public async Task ReadersClosedBeyondThePool_NeverHandAReadOnlyConnectionToAWrite()
    {
        // More readers at once than the ledger keeps idle: those beyond it are closed when given back.
        var readers = Enumerable.Range(0, 40).Select(_ => Ledger.Database.RentReader()).ToList();
        readers.ForEach(reader => Ledger.Database.Return(reader, healthy: true));

        // A write on a connection of its own, as the shared secret's first use is, must not get one of them back.
        var secret = await Ledger.Database.GetOrCreateSecretAsync("readers-closed", 16, default);

        Assert.Equal(16, secret.Length);
    }

    [Fact]
    public async Task GetPartnerAsync_EarnRuleOwnLimitsAndExpiry_SameAsListed()
    {
        var limits = new PartnerRateLimits(new RateLimit(5, 7), null, new RateLimit(11, 13));
        var expiry = new ExpiryPolicy(ExpiryPolicyKind.LotLifetime, 18);
        await Ledger.AcceptedAsync(IdempotencyScope.OperatorPrincipal, new CreatePartner(
            Shop, "Shop Inc.", "Shop Points", PartnerKind.Retailer, "EUR", 9_000, new EarnRule("EUR", 2, 100), limits, expiry));

        var partner = await Ledger.Queries.GetPartnerAsync(Shop, default);

        var listed = Assert.Single(await Ledger.Queries.ListPartnersAsync(null, 10, default));
        Assert.Equal(listed, partner);
        Assert.Equal(limits, partner!.RateLimits);
        Assert.Equal(expiry, partner.ExpiryPolicy);
    }

    [Fact]
    public async Task GetPartnerAsync_SuspendedWithoutEarnRule_SameAsListed()
    {
        await Ledger.CreatePartnerAsync(Air);
        await Ledger.AcceptedAsync(IdempotencyScope.OperatorPrincipal, new SetPartnerSuspended(Air, true));

        var partner = await Ledger.Queries.GetPartnerAsync(Air, default);

        Assert.Equal(Assert.Single(await Ledger.Queries.ListPartnersAsync(null, 10, default)), partner);
        Assert.True(partner!.Suspended);
    }

    [Fact]
    public async Task GetPartnerAsync_UnknownCode_ReturnsNull()
    {
        await Ledger.CreatePartnerAsync(Air);

        Assert.Null(await Ledger.Queries.GetPartnerAsync(Hotel, default));
    }

    [Fact]
    public async Task FindApiKeyAsync_RevokedPartnerKey_SameAsListedWithItsHash()
    {
        await Ledger.CreatePartnerAsync(Air);
        byte[] hash = [1, 2, 3, 4];
        await Ledger.AcceptedAsync(IdempotencyScope.OperatorPrincipal, new CreateApiKey("k1", hash, ApiKeyRole.Partner, Air, "ops"));
        await Ledger.AcceptedAsync(IdempotencyScope.OperatorPrincipal, new RevokeApiKey("k1"));

        var found = await Ledger.Queries.FindApiKeyAsync("k1", default);

        Assert.NotNull(found);
        Assert.Equal(Assert.Single(await Ledger.Queries.ListApiKeysAsync(null, null, 10, default)), found.Value.Key);
        Assert.NotNull(found.Value.Key.RevokedAt);
        Assert.Equal(hash, found.Value.SecretHash);
    }

    [Fact]
    public async Task FindApiKeyAsync_OperatorKey_HasNoProgram()
    {
        await Ledger.AcceptedAsync(IdempotencyScope.OperatorPrincipal, new CreateApiKey("op", [9], ApiKeyRole.Operator, null, "ops"));

        var found = await Ledger.Queries.FindApiKeyAsync("op", default);

        Assert.Equal(Assert.Single(await Ledger.Queries.ListApiKeysAsync(null, null, 10, default)), found!.Value.Key);
        Assert.Null(found.Value.Key.ProgramCode);
    }

    [Fact]
    public async Task FindApiKeyAsync_UnknownId_ReturnsNull() =>
        Assert.Null(await Ledger.Queries.FindApiKeyAsync("nope", default));

    [Fact]
    public async Task FindActiveRateAsync_SecondVersion_SameAsTheOneInEffect()
    {
        await TwoPartnersAsync();
        await Ledger.SetRateAsync(Air, Hotel, AirToHotel);
        Ledger.Clock.Advance(TimeSpan.FromMinutes(1));
        await Ledger.SetRateAsync(Air, Hotel, AirToHotel with { ToPoints = 7 });
        var now = Ledger.Clock.GetUtcNow();

        var rate = await Ledger.Queries.FindActiveRateAsync(Air, Hotel, now, default);

        Assert.Equal(Assert.Single(await Ledger.Queries.ListRatesAsync(Air, Hotel, false, now, default)), rate);
        Assert.Equal(2, rate!.Version);
    }

    [Fact]
    public async Task FindActiveRateAsync_LatestVersionDisabled_ReturnsNull()
    {
        await TwoPartnersAsync();
        await Ledger.SetRateAsync(Air, Hotel, AirToHotel);
        Ledger.Clock.Advance(TimeSpan.FromMinutes(1));
        await Ledger.AcceptedAsync(IdempotencyScope.OperatorPrincipal, new SetExchangeRate(Air, Hotel, AirToHotel, null, false));

        Assert.Null(await Ledger.Queries.FindActiveRateAsync(Air, Hotel, Ledger.Clock.GetUtcNow(), default));
    }

    [Fact]
    public async Task FindActiveRateAsync_BeforeTheFirstVersion_ReturnsNull()
    {
        await TwoPartnersAsync();
        var before = Ledger.Clock.GetUtcNow();
        Ledger.Clock.Advance(TimeSpan.FromMinutes(1));
        await Ledger.SetRateAsync(Air, Hotel, AirToHotel);

        Assert.Null(await Ledger.Queries.FindActiveRateAsync(Air, Hotel, before, default));
    }

    [Fact]
    public async Task IsEnrolledAsync_MemberOfAnotherProgram_False()
    {
        await TwoPartnersAsync();
        await Ledger.EnrollAsync(Air, "m1");

        Assert.True(await Ledger.Queries.IsEnrolledAsync(Air, "m1", default));
        Assert.False(await Ledger.Queries.IsEnrolledAsync(Hotel, "m1", default));
    }

    [Fact]
    public async Task GetAccountAsync_ManyAtOnce_EveryReadSeesTheSameAccount()
    {
        await Ledger.CreatePartnerAsync(Air);
        await Ledger.EnrollAsync(Air, "m1");
        await Ledger.AccrueAsync(Air, "m1", 250);

        // More concurrent reads than the pool keeps idle, so connections are opened, reused and closed.
        var accounts = await Task.WhenAll(Enumerable.Range(0, 200).Select(_ => Task.Run(() => Ledger.Queries.GetAccountAsync(Air, "m1", default))));

        Assert.All(accounts, a => Assert.Equal(250, a!.BalancePoints));
    }

    [Fact]
    public async Task GetAccountAsync_ReadAgainAfterNewPostings_HasTheNewTotals()
    {
        await Ledger.CreatePartnerAsync(Air);
        await Ledger.EnrollAsync(Air, "m1");
        await Ledger.AccrueAsync(Air, "m1", 250);
        var first = await Ledger.Queries.GetAccountAsync(Air, "m1", default);
        await Ledger.AccrueAsync(Air, "m1", 50);
        await Ledger.AcceptedAsync(Air, new Redeem(Air, "m1", 100, "gift"));

        var second = await Ledger.Queries.GetAccountAsync(Air, "m1", default);

        Assert.Equal((250L, 0L), first!.Totals[TransactionKind.Accrual]);
        Assert.Equal(200, second!.BalancePoints);
        Assert.Equal((300L, 0L), second.Totals[TransactionKind.Accrual]);
        Assert.Equal((0L, 100L), second.Totals[TransactionKind.Redemption]);
        Assert.Equal(first.LastSequence + 2, second.LastSequence);
    }

    [Fact]
    public async Task GetAccountAsync_ReadTwiceWithoutPostings_SameSnapshot()
    {
        await Ledger.CreatePartnerAsync(Air);
        await Ledger.EnrollAsync(Air, "m1");
        await Ledger.AccrueAsync(Air, "m1", 250);
        var first = await Ledger.Queries.GetAccountAsync(Air, "m1", default);

        var second = await Ledger.Queries.GetAccountAsync(Air, "m1", default);

        Assert.Equal(first!.Member, second!.Member);
        Assert.Equal(first.BalancePoints, second.BalancePoints);
        Assert.Equal(first.LastSequence, second.LastSequence);
        Assert.Equal(first.Totals, second.Totals);
    }

    [Fact]
    public async Task GetAccountAsync_CancelledToken_Throws()
    {
        await Ledger.CreatePartnerAsync(Air);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Ledger.Queries.GetAccountAsync(Air, "m1", new CancellationToken(true)));
    }

    private async Task TwoPartnersAsync()
    {
        await Ledger.CreatePartnerAsync(Air);
        await Ledger.CreatePartnerAsync(Hotel, "EUR", 8_000);
    }
}
