using System.Security.Cryptography;
using Grpc.Core;
using Microsoft.Extensions.Time.Testing;
using PartnerExchange.Server.Hosting;
using PartnerExchange.Testing;
using PartnerExchange.V1;

namespace PartnerExchange.Server.Tests.Security;

/// <summary>A server with a small API-key cache (100 keys, so 10 unknown ids) and a clock the tests move.</summary>
public sealed class SmallKeyCacheExchange : IAsyncLifetime
{
    public RunningExchange Exchange { get; } = new();

    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

    public Task InitializeAsync()
    {
        Exchange.Clock = Clock;
        Exchange.Settings["Exchange:ApiKeyCacheCapacity"] = "100";
        Exchange.Settings["Exchange:ApiKeyCacheTtl"] = "00:00:05";
        Exchange.Settings["Expiry:JobEnabled"] = "false";
        return Exchange.InitializeAsync();
    }

    public Task DisposeAsync() => Exchange.DisposeAsync();
}

/// <summary>
/// The API-key cache under a flood of made-up keys, seen through the server's own authenticator (an internal type,
/// reached by reflection: the tests see the server only from outside otherwise).
/// </summary>
public sealed class ApiKeyCacheTests(SmallKeyCacheExchange fixture) : IntegrationTest(fixture.Exchange), IClassFixture<SmallKeyCacheExchange>
{
    [Fact]
    public async Task Authenticate_AfterManyUnknownKeys_StillCachesARealKey()
    {
        var shop = await Exchange.CreatePartnerAsync();
        for (var i = 0; i < 500; i++)
        {
            await PingWithMadeUpKeyAsync();
        }

        await shop.EnrollAsync();

        Assert.True(IsCached(KeyIdOf(shop.Key)));
    }

    [Fact]
    public async Task Authenticate_UnknownKeysPastTheirLifetime_LeaveTheCache()
    {
        for (var i = 0; i < 30; i++)
        {
            await PingWithMadeUpKeyAsync();
        }
        Assert.InRange(CachedUnknownIdCount(), 1, 10);

        fixture.Clock.Advance(TimeSpan.FromSeconds(6));
        await PingWithMadeUpKeyAsync();

        Assert.Equal(1, CachedUnknownIdCount());
    }

    private async Task PingWithMadeUpKeyAsync()
    {
        var token = $"pxk_{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8))}_{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32))}";
        await RpcAssert.FailsAsync(StatusCode.Unauthenticated, "API_KEY_INVALID",
            () => new DiagnosticsService.DiagnosticsServiceClient(Exchange.Channel).PingAsync(new PingRequest(), RunningExchange.Bearer(token)).ResponseAsync);
    }

    private static string KeyIdOf(string token) => token.Substring("pxk_".Length, 16);

    private object Authenticator
    {
        get
        {
            var type = typeof(ExchangeHost).Assembly.GetType("PartnerExchange.Server.Security.Authenticator", throwOnError: true)!;
            return Exchange.Services.GetService(type) ?? throw new InvalidOperationException("No authenticator.");
        }
    }

    private bool IsCached(string keyId) =>
        (bool)Authenticator.GetType().GetMethod("IsCached")!.Invoke(Authenticator, [keyId])!;

    private int CachedUnknownIdCount() =>
        (int)Authenticator.GetType().GetProperty("CachedUnknownIdCount")!.GetValue(Authenticator)!;
}
