using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace PartnerExchange.Server.Redis;

/// <summary>
/// Redis health, served under its own gRPC health service name so that a Redis outage shows as NOT_SERVING
/// there while the exchange itself (service "") keeps SERVING: without Redis it runs degraded, not down.
/// </summary>
internal sealed class RedisHealthCheck(RedisConnection redis) : IHealthCheck
{
    public const string ServiceName = "partnerexchange.v1.Redis";

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!redis.IsConfigured)
        {
            return HealthCheckResult.Degraded("Redis is not configured; rate limits are kept per process.");
        }
        var answered = await redis.TryAsync(async db => { await db.PingAsync().ConfigureAwait(false); return true; }, false)
            .ConfigureAwait(false);
        return answered
            ? HealthCheckResult.Healthy("Redis answers.")
            : HealthCheckResult.Unhealthy("Redis does not answer; the exchange runs degraded (ledger idempotency guard, local rate limits).");
    }
}
