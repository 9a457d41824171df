using PartnerExchange.Domain;
using PartnerExchange.Domain.Rates;
using PartnerExchange.Ledger.Commands;
using PartnerExchange.Ledger.Tests.Infrastructure;
using PartnerExchange.Ledger.Writing;
using static PartnerExchange.Ledger.Tests.Infrastructure.LedgerHarness;

namespace PartnerExchange.Ledger.Tests.Conversion;

/// <summary>
/// A quote's rate lock is honoured only while the version it names is the direction's version in effect, so a
/// quote never lets a conversion use a version the arbitrage guard no longer counts.
/// </summary>
public sealed class RateLockTests : LedgerTest
{
    private static readonly ExchangeRateTerms Generous = new(4, 5, 4, 1_000_000, 4, 0, 0, null, null);
    private static readonly ExchangeRateTerms Mean = new(2, 1, 2, 1_000_000, 2, 0, 0, null, null);
    private static readonly TimeSpan LockLifetime = TimeSpan.FromMinutes(30);

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await Ledger.CreatePartnerAsync(Shop);
        await Ledger.CreatePartnerAsync(Air);
        await Ledger.SetRateAsync(Shop, Air, Generous);
        await Ledger.EnrollAsync(Shop, "s1");
        await Ledger.EnrollAsync(Air, "a1");
        await Ledger.AccrueAsync(Shop, "s1", 10_000);
    }

    [Fact]
    public async Task Convert_WithLockWhileLaterVersionIsNotYetInEffect_UsesLockedVersion()
    {
        var rateLock = await LockCurrentRateAsync();
        await SetRateAsync(Mean, effectiveIn: TimeSpan.FromMinutes(10), enabled: true);
        Ledger.Clock.Advance(TimeSpan.FromMinutes(9));

        var response = await Ledger.ResponseAsync(Shop, Convert(rateLock));

        Assert.Equal(1, await RateVersionOfAsync(response));
        Assert.Equal(1_250, await BalanceAsync(Air, "a1"));
    }

    [Fact]
    public async Task Convert_WithLockAfterLaterVersionTookEffect_IsQuoteExpired()
    {
        var rateLock = await LockCurrentRateAsync();
        await SetRateAsync(Mean, effectiveIn: TimeSpan.FromMinutes(10), enabled: true);
        Ledger.Clock.Advance(TimeSpan.FromMinutes(10));

        var response = await Ledger.ResponseAsync(Shop, Convert(rateLock));

        Assert.Equal(ErrorReason.QuoteExpired, Responses.ReasonOf(response));
        Assert.Equal(10_000, await BalanceAsync(Shop, "s1"));
    }

    [Fact]
    public async Task Convert_WithLockAfterDisableTookEffect_IsRateNotConfigured()
    {
        var rateLock = await LockCurrentRateAsync();
        await SetRateAsync(Generous, effectiveIn: TimeSpan.FromMinutes(10), enabled: false);
        Ledger.Clock.Advance(TimeSpan.FromMinutes(10));

        var response = await Ledger.ResponseAsync(Shop, Convert(rateLock));

        Assert.Equal(ErrorReason.RateNotConfigured, Responses.ReasonOf(response));
        Assert.Equal(10_000, await BalanceAsync(Shop, "s1"));
    }

    [Fact]
    public async Task Convert_WithLockAfterBackdatedVersionWasSet_IsQuoteExpired()
    {
        var rateLock = await LockCurrentRateAsync();
        Ledger.Clock.Advance(TimeSpan.FromMinutes(1));
        await SetRateAsync(Mean, effectiveIn: TimeSpan.FromSeconds(-30), enabled: true);

        var response = await Ledger.ResponseAsync(Shop, Convert(rateLock));

        Assert.Equal(ErrorReason.QuoteExpired, Responses.ReasonOf(response));
    }

    /// <summary>What the server's Quote does: the enabled version in effect now, locked from now.</summary>
    private async Task<RateLock> LockCurrentRateAsync()
    {
        var now = Ledger.Clock.GetUtcNow();
        var rate = await Ledger.Queries.FindActiveRateAsync(Shop, Air, now, default);
        Assert.NotNull(rate);
        return new RateLock(rate.RateId, now, now + LockLifetime);
    }

    private Task<StoredResponse> SetRateAsync(ExchangeRateTerms terms, TimeSpan effectiveIn, bool enabled) =>
        Ledger.AcceptedAsync(IdempotencyScope.OperatorPrincipal,
            new SetExchangeRate(Shop, Air, terms, Ledger.Clock.GetUtcNow() + effectiveIn, enabled));

    private static ConvertPoints Convert(RateLock rateLock) => new(Shop, "s1", Air, "a1", 1_000, rateLock, "quoted");

    private Task<long> RateVersionOfAsync(StoredResponse response) =>
        Ledger.ScalarAsync("SELECT rate_version FROM transactions WHERE sequence = $s", ("$s", Responses.SequenceOf(response)));

    private Task<long> BalanceAsync(string program, string member) =>
        Ledger.ScalarAsync("SELECT balance_points FROM accounts WHERE kind = 1 AND program_code = $p AND member_number = $m",
            ("$p", program), ("$m", member));
}
