using System.Diagnostics.Metrics;
using Microsoft.Extensions.Options;
using PartnerExchange.Server.Metrics;
using StackExchange.Redis;

namespace PartnerExchange.Server.Redis;

/// <summary>
/// The exchange's one Redis multiplexer. It connects in the background and reconnects by itself, so a
/// Redis that is down at start or goes away later never stops the exchange; every command is bounded by
/// <see cref="RedisOptions.OperationTimeout"/>. Keys are namespaced and hash-tagged by partner
/// (<c>px:{PARTNER}:…</c>) so all of a partner's keys live in one Redis Cluster slot.
/// </summary>
internal sealed partial class RedisConnection : IAsyncDisposable
{
    private static readonly TimeSpan SubscribeRetryDelay = TimeSpan.FromSeconds(1);

    private readonly RedisOptions _options;
    private readonly ILogger<RedisConnection> _logger;
    private readonly ConnectionMultiplexer? _multiplexer;
    private int _available = 1;

    public RedisConnection(IOptions<RedisOptions> options, ILogger<RedisConnection> logger, IMeterFactory? meters = null)
    {
        _options = options.Value;
        _logger = logger;
        if (string.IsNullOrWhiteSpace(_options.Configuration))
        {
            return;
        }
        // Ops alert on this rather than on logs: 0 while the exchange runs degraded (local rate limits, ledger-only
        // idempotency), 1 while Redis answers. Absent when Redis is not configured.
        meters?.Create(CallMetrics.MeterName).CreateObservableGauge("partnerexchange.redis.available",
            () => IsConnected && Volatile.Read(ref _available) == 1 ? 1 : 0, description: "1 while Redis answers, 0 while the exchange runs without it.");
        var timeoutMs = (int)_options.OperationTimeout.TotalMilliseconds;
        var configuration = ConfigurationOptions.Parse(_options.Configuration);
        configuration.AbortOnConnectFail = false;
        configuration.ConnectTimeout = Math.Max(timeoutMs, 1000);
        configuration.SyncTimeout = timeoutMs;
        configuration.AsyncTimeout = timeoutMs;
        configuration.ConnectRetry = 1;
        configuration.ReconnectRetryPolicy = new LinearRetry(500);
        configuration.ClientName = "partnerexchange";
        _multiplexer = ConnectionMultiplexer.Connect(configuration);
    }

    /// <summary>Whether Redis is configured at all.</summary>
    public bool IsConfigured => _multiplexer is not null;

    /// <summary>Whether Redis is configured and connected right now.</summary>
    public bool IsConnected => _multiplexer?.IsConnected == true;

    public TimeSpan OperationTimeout => _options.OperationTimeout;

    /// <summary>The database when Redis is connected, or null: callers then take their fallback path.</summary>
    public IDatabase? Database => IsConnected ? _multiplexer!.GetDatabase() : null;

    /// <summary>A pub/sub channel of this exchange, namespaced like its keys.</summary>
    public RedisChannel Channel(string name) => RedisChannel.Literal($"{_options.KeyPrefix}:{name}");

    /// <summary>
    /// Subscribes <paramref name="onMessage"/> to <paramref name="channel"/>, trying again every second while Redis
    /// does not answer (it may be down at start), until subscribed or <paramref name="stoppingToken"/> ends. Once
    /// subscribed, the multiplexer subscribes again by itself after every reconnect; <paramref name="onResubscribed"/>
    /// then runs, since messages published while this process was cut off are lost. Without Redis it does nothing.
    /// </summary>
    public async Task SubscribeAsync(RedisChannel channel, Action<RedisValue> onMessage, Action onResubscribed, CancellationToken stoppingToken)
    {
        while (_multiplexer is not null && !stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (await TrySubscribeAsync(channel, onMessage, onResubscribed).ConfigureAwait(false))
                {
                    return;
                }
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                // Never the host's end: a failed background service would stop the exchange.
                LogSubscribeFailed(ex, channel.ToString());
            }
            try
            {
                await Task.Delay(SubscribeRetryDelay, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>One attempt of <see cref="SubscribeAsync"/>, bounded by the operation timeout: false when Redis did not answer.</summary>
    public async Task<bool> TrySubscribeAsync(RedisChannel channel, Action<RedisValue> onMessage, Action onResubscribed)
    {
        if (_multiplexer is null)
        {
            return false;
        }
        try
        {
            await _multiplexer.GetSubscriber().SubscribeAsync(channel, (_, message) => onMessage(message))
                .WaitAsync(_options.OperationTimeout).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            return false;
        }
        _multiplexer.ConnectionRestored += (_, restored) =>
        {
            if (restored.ConnectionType == ConnectionType.Subscription)
            {
                onResubscribed();
            }
        };
        return true;
    }

    /// <summary>A key of one partner (or the operators' scope), hash-tagged by it.</summary>
    public RedisKey Key(string principal, string kind, string name) => $"{_options.KeyPrefix}:{{{principal}}}:{kind}:{name}";

    /// <summary>
    /// Runs a Redis command bounded by the operation timeout; any failure returns <paramref name="fallback"/>
    /// and marks Redis unavailable until a command succeeds again (logged once per change, not per call).
    /// </summary>
    public async Task<T> TryAsync<T>(Func<IDatabase, Task<T>> command, T fallback)
    {
        var database = Database;
        if (database is null)
        {
            MarkUnavailable(null);
            return fallback;
        }
        try
        {
            var result = await command(database).WaitAsync(_options.OperationTimeout).ConfigureAwait(false);
            if (Interlocked.Exchange(ref _available, 1) == 0)
            {
                LogRecovered();
            }
            return result;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            MarkUnavailable(ex);
            return fallback;
        }
    }

    /// <summary>
    /// Sends a command without waiting for its answer (fire and forget), for a command whose loss is safe: the caller
    /// goes on at once, and Redis runs it in order after this connection's earlier commands. Nothing is sent while
    /// Redis is not connected.
    /// </summary>
    public void Send(Action<IDatabase> command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var database = Database;
        if (database is null)
        {
            MarkUnavailable(null);
            return;
        }
        try
        {
            command(database);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            MarkUnavailable(ex);
        }
    }

    private void MarkUnavailable(Exception? exception)
    {
        if (IsConfigured && Interlocked.Exchange(ref _available, 0) == 1)
        {
            LogUnavailable(exception);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_multiplexer is not null)
        {
            await _multiplexer.DisposeAsync().ConfigureAwait(false);
        }
    }

    [LoggerMessage(EventId = 3001, Level = LogLevel.Warning,
        Message = "Redis is unavailable; going on without it (ledger idempotency guard, local rate limits)")]
    private partial void LogUnavailable(Exception? exception);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Information, Message = "Redis is available again")]
    private partial void LogRecovered();

    [LoggerMessage(EventId = 3003, Level = LogLevel.Warning, Message = "Subscribing to Redis channel {Channel} failed; trying again")]
    private partial void LogSubscribeFailed(Exception exception, string channel);
}
