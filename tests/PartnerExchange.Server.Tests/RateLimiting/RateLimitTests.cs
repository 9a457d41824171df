using System.Diagnostics;
using Google.Rpc;
using Grpc.Core;
using Microsoft.Extensions.Options;
using PartnerExchange.Server.Hosting;
using PartnerExchange.Server.RateLimiting;
using PartnerExchange.Testing;
using PartnerExchange.V1;

namespace PartnerExchange.Server.Tests.RateLimiting;

/// <summary>
/// Per-partner limits over the real server and the real Redis: a partner driven far over its quota is held
/// to rate × time + burst, its rejections say why and how long to wait, other partners and other classes
/// are untouched. Limits are low (20 per second, burst 10) so a few seconds of calls prove the bound.
/// </summary>
public sealed class RateLimitTests(LowLimitExchange fixture) : IClassFixture<LowLimitExchange>, IAsyncLifetime
{
    private readonly ServerErrorGuard _errors = new(fixture.Exchange);

    private RunningExchange Exchange => fixture.Exchange;

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _errors.AssertNoneAsync();

    [Fact]
    public async Task GetAccount_DrivenFarOverQuota_AdmitsAtMostRateTimesElapsedPlusBurst()
    {
        var (shop, member) = await PartnerWithMemberAsync();
        var points = shop.Points;

        var run = await Drive.ForAsync(TimeSpan.FromSeconds(2), loops: 8, () => points.GetAccountAsync(new GetAccountRequest { MemberNumber = member }).ResponseAsync);

        Assert.True(run.Refused > 0, $"Nothing was refused in {run}: the partner was not driven over its quota.");
        run.AssertWithinQuota(LowLimitExchange.Reads);
    }

    [Fact]
    public async Task GetAccount_OverQuota_FailsResourceExhaustedRateLimitedForReads()
    {
        var (shop, member) = await PartnerWithMemberAsync();

        var error = await Drive.UntilRefusedAsync(() => shop.Points.GetAccountAsync(new GetAccountRequest { MemberNumber = member }).ResponseAsync);

        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        var info = RpcAssert.InfoOf(error)!;
        Assert.Equal("RATE_LIMITED", info.Reason);
        Assert.Equal("partnerexchange.net", info.Domain);
        Assert.Equal("reads", info.Metadata["limit_class"]);
        Assert.Equal("20", info.Metadata["requests_per_second"]);
    }

    [Fact]
    public async Task GetAccount_OverQuota_RetryInfoWaitsAtMostOneRequestInterval()
    {
        var (shop, member) = await PartnerWithMemberAsync();

        var error = await Drive.UntilRefusedAsync(() => shop.Points.GetAccountAsync(new GetAccountRequest { MemberNumber = member }).ResponseAsync);

        // A refused request is short of exactly one interval's worth of quota at most: 1 s / 20 = 50 ms.
        var delay = error.GetRpcStatus()?.GetDetail<RetryInfo>()?.RetryDelay?.ToTimeSpan();
        Assert.NotNull(delay);
        Assert.InRange(delay.Value, TimeSpan.FromTicks(1), TimeSpan.FromMilliseconds(50));
    }

    [Fact]
    public async Task GetAccount_OverQuota_QuotaFailureNamesPartnerAndClass()
    {
        var (shop, member) = await PartnerWithMemberAsync();

        var error = await Drive.UntilRefusedAsync(() => shop.Points.GetAccountAsync(new GetAccountRequest { MemberNumber = member }).ResponseAsync);

        var violation = Assert.Single(error.GetRpcStatus()?.GetDetail<QuotaFailure>()?.Violations ?? []);
        Assert.Equal($"partner:{shop.ProgramCode}/reads", violation.Subject);
        Assert.False(string.IsNullOrWhiteSpace(violation.Description));
    }

    [Fact]
    public async Task GetAccount_NoisyPartnerFarOverQuota_QuietPartnerIsNeverRefused()
    {
        var (noisy, noisyMember) = await PartnerWithMemberAsync();
        var (quiet, quietMember) = await PartnerWithMemberAsync();
        var noisyPoints = noisy.Points;
        var quietPoints = quiet.Points;

        var noise = Drive.ForAsync(TimeSpan.FromSeconds(1.5), loops: 8,
            () => noisyPoints.GetAccountAsync(new GetAccountRequest { MemberNumber = noisyMember }).ResponseAsync);
        // Well inside the quiet partner's own quota whatever the timing: 8 calls against a burst of 10.
        for (var i = 0; i < 8; i++)
        {
            await quietPoints.GetAccountAsync(new GetAccountRequest { MemberNumber = quietMember });
            await Task.Delay(100);
        }

        Assert.True((await noise).Refused > 0, "The noisy partner was not driven over its quota.");
    }

    [Fact]
    public async Task Accrue_AfterReadsExhausted_IsAdmitted()
    {
        var (shop, member) = await PartnerWithMemberAsync();
        await Drive.UntilRefusedAsync(() => shop.Points.GetAccountAsync(new GetAccountRequest { MemberNumber = member }).ResponseAsync);

        var accrued = await shop.AccrueAsync(member, 10);

        Assert.Equal(10, accrued.BalancePoints);
    }

    [Fact]
    public async Task GetAccount_AfterWritesExhausted_IsAdmitted()
    {
        var (shop, member) = await PartnerWithMemberAsync();
        var error = await Drive.UntilRefusedAsync(() => shop.EnrollAsync());
        Assert.Equal("writes", RpcAssert.InfoOf(error)!.Metadata["limit_class"]);

        var account = await shop.Points.GetAccountAsync(new GetAccountRequest { MemberNumber = member });

        Assert.Equal(0, account.BalancePoints);
    }

    [Fact]
    public async Task GetAccount_PartnerWithItsOwnReadLimit_IsRefusedAtItsOwnLimit()
    {
        var (shop, member) = await PartnerWithMemberAsync();
        await Exchange.Admin().UpdatePartnerAsync(new UpdatePartnerRequest
        {
            IdempotencyKey = Guid.NewGuid().ToString("N"),
            ProgramCode = shop.ProgramCode,
            RateLimits = new PartnerRateLimits { Reads = new RateLimit { RequestsPerSecond = 5, Burst = 3 } },
        });

        var error = await Drive.UntilRefusedAsync(() => shop.Points.GetAccountAsync(new GetAccountRequest { MemberNumber = member }).ResponseAsync);

        Assert.Equal("5", RpcAssert.InfoOf(error)!.Metadata["requests_per_second"]);
        Assert.Equal("3", RpcAssert.InfoOf(error)!.Metadata["burst"]);
    }

    [Fact]
    public async Task GetAccount_PartnerWithOnlyItsOwnWriteLimit_KeepsTheDefaultReadLimit()
    {
        var (shop, member) = await PartnerWithMemberAsync();
        await Exchange.Admin().UpdatePartnerAsync(new UpdatePartnerRequest
        {
            IdempotencyKey = Guid.NewGuid().ToString("N"),
            ProgramCode = shop.ProgramCode,
            RateLimits = new PartnerRateLimits { Writes = new RateLimit { RequestsPerSecond = 1000, Burst = 1000 } },
        });

        var error = await Drive.UntilRefusedAsync(() => shop.Points.GetAccountAsync(new GetAccountRequest { MemberNumber = member }).ResponseAsync);

        Assert.Equal("reads", RpcAssert.InfoOf(error)!.Metadata["limit_class"]);
        Assert.Equal("20", RpcAssert.InfoOf(error)!.Metadata["requests_per_second"]);
    }

    [Fact]
    public async Task Start_ZeroRequestsPerSecond_FailsValidationOfRateLimits()
    {
        var folder = Path.Combine(Path.GetTempPath(), "px-tests", Guid.NewGuid().ToString("N"));
        await using var app = ExchangeHost.Build([], new Dictionary<string, string?>
        {
            ["Exchange:Listen"] = "http://127.0.0.1:0",
            ["Exchange:OperatorKey"] = Exchange.OperatorKey,
            ["Ledger:DatabasePath"] = Path.Combine(folder, "exchange.db"),
            ["RateLimits:Writes:RequestsPerSecond"] = "0",
        });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());

        Assert.Equal(typeof(RateLimitOptions), error.OptionsType);
        Assert.Contains("RequestsPerSecond", error.Message, StringComparison.Ordinal);
    }

    private async Task<(TestPartner Partner, string Member)> PartnerWithMemberAsync()
    {
        var partner = await Exchange.CreatePartnerAsync();
        return (partner, await partner.EnrollAsync());
    }
}

/// <summary>Two servers on one ledger file and one Redis key prefix: one limiter between them.</summary>
public sealed class TwoServerRateLimitTests(TwoServersExchange fixture) : IClassFixture<TwoServersExchange>, IAsyncLifetime
{
    private readonly ServerErrorGuard _firstErrors = new(fixture.First);
    private readonly ServerErrorGuard _secondErrors = new(fixture.Second);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _firstErrors.AssertNoneAsync();
        await _secondErrors.AssertNoneAsync();
    }

    [Fact]
    public async Task GetAccount_SplitAcrossTwoServers_AdmitsAtMostOneQuota()
    {
        var shop = await fixture.First.CreatePartnerAsync();
        var member = await shop.EnrollAsync();
        var viaFirst = fixture.First.Points(shop.Key);
        var viaSecond = fixture.Second.Points(shop.Key);
        var turn = 0;

        // Alternate the servers call by call: each one alone would admit a whole quota of its own.
        var run = await Drive.ForAsync(TimeSpan.FromSeconds(2), loops: 8, () =>
            (Interlocked.Increment(ref turn) % 2 == 0 ? viaFirst : viaSecond)
                .GetAccountAsync(new GetAccountRequest { MemberNumber = member }).ResponseAsync);

        Assert.True(run.Refused > 0, $"Nothing was refused in {run}: the partner was not driven over its quota.");
        run.AssertWithinQuota(LowLimitExchange.Reads);
    }
}

/// <summary>
/// The per-member velocity limit on accruals and conversions (1 per second, burst 5 here), checked by
/// PointsApi.Accrue and ConversionApi.Convert after validation and before the idempotent write.
/// </summary>
public sealed class MemberVelocityRateLimitTests(VelocityExchange fixture) : IClassFixture<VelocityExchange>, IAsyncLifetime
{
    private readonly ServerErrorGuard _errors = new(fixture.Exchange);

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _errors.AssertNoneAsync();

    [Fact]
    public async Task Accrue_RapidForOneMember_RefusedOnceBurstIsSpent()
    {
        var shop = await fixture.Exchange.CreatePartnerAsync();
        var member = await shop.EnrollAsync();
        var clock = Stopwatch.StartNew();
        var admitted = 0;

        var error = await Drive.UntilRefusedAsync(async () =>
        {
            await shop.AccrueAsync(member, 1);
            admitted++;
        });

        var info = RpcAssert.InfoOf(error)!;
        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        Assert.Equal("RATE_LIMITED", info.Reason);
        Assert.Equal("member_velocity", info.Metadata["limit_class"]);
        // The burst, plus whatever the sustained rate refilled while the calls ran (nothing, on a quick
        // machine), plus one call of slack for clock rounding.
        var allowed = VelocityExchange.Velocity.RequestsPerSecond * clock.Elapsed.TotalSeconds + VelocityExchange.Velocity.Burst + 1;
        Assert.True(admitted >= VelocityExchange.Velocity.Burst && admitted <= allowed, $"{admitted} accruals were admitted; allowed {allowed:0.0}.");
        Assert.Equal(admitted, await shop.BalanceAsync(member));
    }

    [Fact]
    public async Task Convert_AfterTheMembersAccrualsSpentTheBurst_DrawsFromTheSameBucket()
    {
        var shop = await fixture.Exchange.CreatePartnerAsync();
        var air = await fixture.Exchange.CreatePartnerAsync(pointPriceMicros: 12_500);
        await fixture.Exchange.SetRateAsync(shop.ProgramCode, air.ProgramCode, 100, 80);
        var buyer = await shop.EnrollAsync();
        var flyer = await air.EnrollAsync();
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < VelocityExchange.Velocity.Burst; i++)
        {
            await shop.AccrueAsync(buyer, 1_000);
        }
        var conversions = 0;

        var error = await Drive.UntilRefusedAsync(async () =>
        {
            await shop.Conversions.ConvertAsync(new ConvertRequest
            {
                IdempotencyKey = Guid.NewGuid().ToString("N"),
                SourceMemberNumber = buyer,
                DestinationProgramCode = air.ProgramCode,
                DestinationMemberNumber = flyer,
                SourcePoints = 100,
            });
            conversions++;
        });

        Assert.Equal("member_velocity", RpcAssert.InfoOf(error)!.Metadata["limit_class"]);
        // With a bucket of their own, conversions would get a whole burst after the accruals spent theirs.
        var allowed = VelocityExchange.Velocity.RequestsPerSecond * clock.Elapsed.TotalSeconds + 1;
        Assert.True(conversions <= allowed, $"{conversions} conversions were admitted after the burst; allowed {allowed:0.0}.");
    }

    [Fact]
    public async Task Accrue_OtherMemberAfterOneMemberRefused_IsAdmitted()
    {
        var shop = await fixture.Exchange.CreatePartnerAsync();
        var busy = await shop.EnrollAsync();
        var other = await shop.EnrollAsync();
        await Drive.UntilRefusedAsync(() => shop.AccrueAsync(busy, 1));

        var accrued = await shop.AccrueAsync(other, 7);

        Assert.Equal(7, accrued.BalancePoints);
    }
}

/// <summary>
/// A server whose default reads and writes are 20 per second with a burst of 10, and which reads a
/// partner's own limits on every call, so a change through the admin API applies at once.
/// </summary>
public sealed class LowLimitExchange : IAsyncLifetime
{
    public static readonly Quota Reads = new(20, 10);
    public static readonly Quota Writes = new(20, 10);

    public LowLimitExchange()
    {
        Reads.Apply(Exchange.Settings, Writes);
        Exchange.Settings["RateLimits:PartnerLimitsCacheDuration"] = "00:00:00";
    }

    public RunningExchange Exchange { get; } = new();

    public Task InitializeAsync() => Exchange.InitializeAsync();

    public Task DisposeAsync() => Exchange.DisposeAsync();
}

/// <summary>Two servers sharing one ledger file, one operator key, one Redis and one key prefix.</summary>
public sealed class TwoServersExchange : IAsyncLifetime
{
    public TwoServersExchange()
    {
        var prefix = "two" + Guid.NewGuid().ToString("N")[..8];
        Second.DatabasePath = First.DatabasePath;
        Second.OperatorKey = First.OperatorKey;
        foreach (var server in new[] { First, Second })
        {
            server.Settings["Redis:KeyPrefix"] = prefix;
            LowLimitExchange.Reads.Apply(server.Settings, LowLimitExchange.Writes);
        }
    }

    public RunningExchange First { get; } = new();

    public RunningExchange Second { get; } = new();

    public async Task InitializeAsync()
    {
        // One after the other: the first applies the migrations, the second finds the schema current.
        await First.InitializeAsync();
        await Second.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await Second.DisposeAsync();
        await First.DisposeAsync();
    }
}

/// <summary>A server whose member velocity is 1 per second with a burst of 5.</summary>
public sealed class VelocityExchange : IAsyncLifetime
{
    public static readonly Quota Velocity = new(1, 5);

    public VelocityExchange()
    {
        Exchange.Settings["RateLimits:MemberVelocity:RequestsPerSecond"] = "1";
        Exchange.Settings["RateLimits:MemberVelocity:Burst"] = "5";
    }

    public RunningExchange Exchange { get; } = new();

    public Task InitializeAsync() => Exchange.InitializeAsync();

    public Task DisposeAsync() => Exchange.DisposeAsync();
}

/// <summary>A configured limit as the tests see it.</summary>
public sealed record Quota(int RequestsPerSecond, int Burst)
{
    /// <summary>Sets these as the default read limit and <paramref name="writes"/> as the default write limit.</summary>
    public void Apply(IDictionary<string, string?> settings, Quota writes)
    {
        settings["RateLimits:Reads:RequestsPerSecond"] = RequestsPerSecond.ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings["RateLimits:Reads:Burst"] = Burst.ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings["RateLimits:Writes:RequestsPerSecond"] = writes.RequestsPerSecond.ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings["RateLimits:Writes:Burst"] = writes.Burst.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }
}

/// <summary>How many calls a run of load got through and how many were refused, over how long.</summary>
public sealed record LoadRun(int Admitted, int Refused, TimeSpan Elapsed)
{
    /// <summary>
    /// No more than rate × elapsed + burst calls got through. Every admission happened inside the measured
    /// window, so the bound holds however slow or fast the machine; one call of slack covers clock rounding.
    /// </summary>
    public void AssertWithinQuota(Quota quota)
    {
        var allowed = quota.RequestsPerSecond * Elapsed.TotalSeconds + quota.Burst + 1;
        Assert.True(Admitted <= allowed, $"{this} admitted more than {allowed:0.0}.");
        // A quiet bucket admits its whole burst at once, so fewer means calls were refused wrongly.
        Assert.True(Admitted >= quota.Burst, $"{this} admitted less than the burst of {quota.Burst}.");
    }

    public override string ToString() => $"{Admitted} admitted and {Refused} refused in {Elapsed.TotalSeconds:0.000} s";
}

/// <summary>Drives calls at a partner and sorts the outcomes into admitted and refused (RATE_LIMITED).</summary>
public static class Drive
{
    /// <summary>Runs <paramref name="loops"/> callers back to back for <paramref name="duration"/>.</summary>
    public static async Task<LoadRun> ForAsync(TimeSpan duration, int loops, Func<Task> call)
    {
        var admitted = 0;
        var refused = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, loops).Select(_ => Task.Run(async () =>
        {
            while (clock.Elapsed < duration)
            {
                if (await AdmittedAsync(call))
                {
                    Interlocked.Increment(ref admitted);
                }
                else
                {
                    Interlocked.Increment(ref refused);
                }
            }
        })));
        return new LoadRun(admitted, refused, clock.Elapsed);
    }

    /// <summary>Calls one at a time until a call is refused, and returns that refusal.</summary>
    public static async Task<RpcException> UntilRefusedAsync(Func<Task> call)
    {
        for (var attempt = 0; attempt < 1_000; attempt++)
        {
            try
            {
                await call();
            }
            catch (RpcException error) when (RpcAssert.ReasonOf(error) == "RATE_LIMITED")
            {
                return error;
            }
        }
        throw new InvalidOperationException("1,000 calls in a row were admitted; the limit is not enforced.");
    }

    private static async Task<bool> AdmittedAsync(Func<Task> call)
    {
        try
        {
            await call();
            return true;
        }
        catch (RpcException error) when (RpcAssert.ReasonOf(error) == "RATE_LIMITED")
        {
            return false;
        }
    }
}

