using System.Globalization;
using PartnerExchange.Testing;

namespace PartnerExchange.Server.Tests.Metrics;

/// <summary>
/// The gauge ops alert on for degraded mode, over real HTTP, while a Redis of the test's own goes away and
/// comes back. Runs with the other metrics tests, alone: OpenTelemetry reads every meter of a name in the process.
/// </summary>
[Collection(nameof(MetricsRunAlone))]
public sealed class RedisAvailabilityMetricTests : IAsyncLifetime, IDisposable
{
    private const string Gauge = "partnerexchange_redis_available";
    private static readonly TimeSpan ChangeTimeout = TimeSpan.FromSeconds(30);

    private readonly RedisServer _redis = new();
    private readonly RunningExchange _exchange = new();
    private readonly Uri _metrics = new($"http://127.0.0.1:{LoopbackPorts.Free().ToString(CultureInfo.InvariantCulture)}/metrics");

    public RedisAvailabilityMetricTests()
    {
        _exchange.Settings["Redis:Configuration"] = _redis.Configuration;
        _exchange.Settings["Metrics:Listen"] = _metrics.GetLeftPart(UriPartial.Authority);
    }

    public Task InitializeAsync() => _exchange.InitializeAsync();

    public async Task DisposeAsync()
    {
        // Redis first: an exchange closing its connection to a stopped Redis would wait for it.
        _redis.Dispose();
        await _exchange.DisposeAsync();
    }

    public void Dispose() => _redis.Dispose();

    [Fact]
    public async Task RedisAvailable_WhileRedisIsDown_IsZero()
    {
        Assert.Equal(1, await WaitForGaugeAsync(1));
        _redis.Stop();

        Assert.Equal(0, await WaitForGaugeAsync(0));
    }

    [Fact]
    public async Task RedisAvailable_RedisStartedAgain_IsOneWithoutRestart()
    {
        _redis.Stop();
        Assert.Equal(0, await WaitForGaugeAsync(0));

        _redis.Start();

        Assert.Equal(1, await WaitForGaugeAsync(1));
    }

    /// <summary>Scrapes until the gauge reads <paramref name="expected"/> or the timeout passes; the last reading.</summary>
    private async Task<double> WaitForGaugeAsync(double expected)
    {
        var deadline = DateTime.UtcNow + ChangeTimeout;
        while (true)
        {
            var value = Prometheus.Sum(await Prometheus.ScrapeAsync(_metrics), Gauge);
            if (value == expected || DateTime.UtcNow > deadline)
            {
                return value;
            }
            await Task.Delay(50);
        }
    }
}
