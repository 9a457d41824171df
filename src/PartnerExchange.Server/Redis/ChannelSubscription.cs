using StackExchange.Redis;

namespace PartnerExchange.Server.Redis;

/// <summary>
/// A hosted subscription to one of the exchange's Redis channels. When Redis answers at start, the server is
/// subscribed before it serves its first call, so no announcement made after that is missed; otherwise it keeps
/// trying in the background. Then <see cref="RunAsync"/> runs for as long as the host does.
/// </summary>
/// <remarks>
/// Collaborators are resolved when the host starts the service, not when it builds it, so a host that fails its
/// options validation never opens the ledger or Redis.
/// </remarks>
internal abstract class ChannelSubscription(IServiceProvider services) : BackgroundService
{
    private bool _subscribed;

    /// <summary>The channel's name within the exchange's namespace.</summary>
    protected abstract string ChannelName { get; }

    protected IServiceProvider Services => services;

    protected RedisConnection Redis => services.GetRequiredService<RedisConnection>();

    protected RedisChannel Channel => Redis.Channel(ChannelName);

    /// <summary>A message on the channel, from any server, this one included.</summary>
    protected abstract void OnMessage(RedisValue message);

    /// <summary>Subscribed again after Redis came back: the messages published meanwhile are lost.</summary>
    protected abstract void OnResubscribed();

    /// <summary>Runs once subscribed, until the host stops; not at all when no Redis is configured.</summary>
    protected virtual Task RunAsync(CancellationToken stoppingToken) => Task.CompletedTask;

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            _subscribed = await Redis.TrySubscribeAsync(Channel, OnMessage, OnResubscribed).ConfigureAwait(false);
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            // The background loop tries again and logs what goes wrong; a start never fails over Redis.
        }
        await base.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!Redis.IsConfigured)
        {
            return;
        }
        if (!_subscribed)
        {
            await Redis.SubscribeAsync(Channel, OnMessage, OnResubscribed, stoppingToken).ConfigureAwait(false);
        }
        await RunAsync(stoppingToken).ConfigureAwait(false);
    }
}
