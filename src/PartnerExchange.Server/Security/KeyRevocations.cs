using PartnerExchange.Server.Redis;
using StackExchange.Redis;

namespace PartnerExchange.Server.Security;

/// <summary>
/// Tells every server of a revoked API key through Redis pub/sub, so the key stops working everywhere at once
/// instead of when each server's key cache next reads it. Without Redis a server falls back on that cache's
/// lifetime (<see cref="Hosting.ExchangeOptions.ApiKeyCacheTtl"/>); after a reconnect it forgets every cached
/// key, since announcements published while it was cut off never reach it.
/// </summary>
/// <remarks>
/// Its collaborators are resolved when first used, not when the host builds its hosted services, so a host that
/// fails its options validation never opens the ledger or Redis (as <see cref="Expiry.ExpiryJob"/>).
/// </remarks>
internal sealed partial class KeyRevocations(IServiceProvider services, ILogger<KeyRevocations> logger) : BackgroundService
{
    private const string ChannelName = "revoked-api-keys";
    private static readonly TimeSpan SubscribeRetryDelay = TimeSpan.FromSeconds(1);

    /// <summary>Announces a revocation that has committed; every server that hears it forgets the key.</summary>
    public Task AnnounceAsync(string keyId)
    {
        var redis = Redis;
        return redis.TryAsync(database => database.PublishAsync(redis.Channel(ChannelName), keyId), 0L);
    }

    private RedisConnection Redis => services.GetRequiredService<RedisConnection>();

    private Authenticator Authenticator => services.GetRequiredService<Authenticator>();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var redis = Redis;
        if (!redis.IsConfigured)
        {
            return;
        }
        // Redis may be down at start; the key cache's lifetime bounds every revocation until it answers.
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (await redis.TrySubscribeAsync(redis.Channel(ChannelName), OnRevoked, OnResubscribed).ConfigureAwait(false))
                {
                    return;
                }
                await Task.Delay(SubscribeRetryDelay, stoppingToken).ConfigureAwait(false);
            }
            catch (Exception) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // Never the host's end: a failed background service would stop the exchange.
                LogSubscribeFailed(ex);
                await Task.Delay(SubscribeRetryDelay, stoppingToken).ConfigureAwait(false);
            }
        }
    }

    private void OnRevoked(RedisValue keyId)
    {
        if (!keyId.IsNullOrEmpty)
        {
            Authenticator.Forget(keyId.ToString());
        }
    }

    private void OnResubscribed()
    {
        Authenticator.ForgetAll();
        LogForgotAll();
    }

    [LoggerMessage(EventId = 3102, Level = LogLevel.Warning, Message = "Subscribing to key revocations failed; trying again")]
    private partial void LogSubscribeFailed(Exception exception);

    [LoggerMessage(EventId = 3101, Level = LogLevel.Information,
        Message = "Subscribed again to key revocations after a Redis outage; every cached API key will be read again")]
    private partial void LogForgotAll();
}
