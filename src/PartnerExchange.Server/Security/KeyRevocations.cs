using System.Collections.Concurrent;
using PartnerExchange.Server.Redis;
using StackExchange.Redis;

namespace PartnerExchange.Server.Security;

/// <summary>
/// Tells every server of a revoked API key through Redis pub/sub, so the key stops working everywhere at once
/// instead of when each server's key cache next reads it, and the event streams it opened end. Without Redis a
/// server falls back on that cache's lifetime (<see cref="Hosting.ExchangeOptions.ApiKeyCacheTtl"/>) and its
/// streams' own check at each heartbeat; after a reconnect it forgets every cached key, since announcements
/// published while it was cut off never reach it.
/// </summary>
/// <remarks>
/// Its collaborators are resolved when first used, not when the host builds its hosted services, so a host that
/// fails its options validation never opens the ledger or Redis (as <see cref="Expiry.ExpiryJob"/>).
/// </remarks>
internal sealed partial class KeyRevocations(IServiceProvider services, ILogger<KeyRevocations> logger) : BackgroundService
{
    private const string ChannelName = "revoked-api-keys";
    private static readonly TimeSpan SubscribeRetryDelay = TimeSpan.FromSeconds(1);

    // What is open under each key (event streams), so a revocation can end it. A handful per partner.
    private readonly ConcurrentDictionary<KeyWatch, string> _watches = new();

    /// <summary>
    /// Watches a key while something stays open under it: the watch's token is cancelled when the key is revoked,
    /// through this server or another.
    /// </summary>
    public KeyWatch Watch(string keyId)
    {
        var watch = new KeyWatch(this, keyId);
        _watches[watch] = keyId;
        return watch;
    }

    /// <summary>A revocation committed through this server: it takes effect here, then on every server that hears of it.</summary>
    public async Task RevokedHereAsync(string keyId)
    {
        Revoked(keyId);
        var redis = Redis;
        await redis.TryAsync(database => database.PublishAsync(redis.Channel(ChannelName), keyId), 0L).ConfigureAwait(false);
    }

    private void Revoked(string keyId)
    {
        Authenticator.Forget(keyId);
        foreach (var (watch, watchedKeyId) in _watches)
        {
            if (watchedKeyId == keyId)
            {
                watch.Revoke();
            }
        }
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
            Revoked(keyId.ToString());
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

    /// <summary>One watch of a key; disposing it stops the watch.</summary>
    internal sealed class KeyWatch(KeyRevocations owner, string keyId) : IDisposable
    {
        private readonly CancellationTokenSource _revoked = new();

        public string KeyId { get; } = keyId;

        /// <summary>Cancelled when the key is revoked.</summary>
        public CancellationToken Token => _revoked.Token;

        public bool IsRevoked => _revoked.IsCancellationRequested;

        /// <summary>Ends what is open under the key: on its revocation, or when a holder finds it revoked itself.</summary>
        internal void Revoke()
        {
            try
            {
                _revoked.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // Its stream ended meanwhile: nothing left to end.
            }
        }

        public void Dispose()
        {
            owner._watches.TryRemove(this, out _);
            _revoked.Dispose();
        }
    }
}
