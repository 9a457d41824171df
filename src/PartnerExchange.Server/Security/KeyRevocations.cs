using System.Collections.Concurrent;
using PartnerExchange.Server.Redis;
using StackExchange.Redis;

namespace PartnerExchange.Server.Security;

/// <summary>
/// Tells every server of a revoked API key through Redis pub/sub, so the key stops working everywhere at once
/// instead of when each server's key cache next reads it, and the event streams it opened end. Without Redis a
/// server falls back on that cache's lifetime (<see cref="Hosting.ExchangeOptions.ApiKeyCacheTtl"/>) and its
/// streams' own check, at least once a heartbeat interval whatever their traffic; after a reconnect it forgets every cached key, since announcements
/// published while it was cut off never reach it.
/// </summary>
internal sealed partial class KeyRevocations(IServiceProvider services, ILogger<KeyRevocations> logger) : ChannelSubscription(services)
{
    // What is open under each key (event streams), so a revocation can end it. A handful per partner.
    private readonly ConcurrentDictionary<KeyWatch, byte> _watches = new();

    /// <summary>
    /// Watches a key while something stays open under it: the watch's token is cancelled when the key is revoked,
    /// through this server or another.
    /// </summary>
    public KeyWatch Watch(string keyId)
    {
        var watch = new KeyWatch(this, keyId);
        _watches[watch] = 0;
        return watch;
    }

    protected override string ChannelName => "revoked-api-keys";

    /// <summary>A revocation committed through this server: it takes effect here, then on every server that hears of it.</summary>
    public async Task RevokedHereAsync(string keyId)
    {
        Revoked(keyId);
        var (redis, channel) = (Redis, Channel);
        await redis.TryAsync(database => database.PublishAsync(channel, keyId), 0L).ConfigureAwait(false);
    }

    private void Revoked(string keyId)
    {
        Authenticator.Forget(keyId);
        foreach (var watch in _watches.Keys)
        {
            if (watch.KeyId == keyId)
            {
                watch.Revoke();
            }
        }
    }

    private Authenticator Authenticator => Services.GetRequiredService<Authenticator>();

    protected override void OnMessage(RedisValue keyId)
    {
        if (!keyId.IsNullOrEmpty)
        {
            Revoked(keyId.ToString());
        }
    }

    protected override void OnResubscribed()
    {
        Authenticator.ForgetAll();
        LogForgotAll();
    }

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
