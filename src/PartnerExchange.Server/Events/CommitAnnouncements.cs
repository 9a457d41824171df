using Microsoft.Extensions.Options;
using PartnerExchange.Ledger.Writing;
using PartnerExchange.Server.Redis;
using StackExchange.Redis;

namespace PartnerExchange.Server.Events;

/// <summary>
/// Tells the other servers on the ledger, through Redis pub/sub, that this one's writer committed, and wakes this
/// server's event streams when another did; so a stream shows another server's writes at once rather than at its
/// next heartbeat. One announcement covers every commit until the next, at most one per
/// <see cref="EventStreamOptions.CommitAnnouncementInterval"/>, so a busy writer costs Redis a few messages a second.
/// Without Redis the heartbeat is the bound again.
/// </summary>
internal sealed class CommitAnnouncements(IServiceProvider services, IOptions<EventStreamOptions> options) : ChannelSubscription(services)
{
    // Each server hears its own announcements too; its own id tells them apart.
    private readonly string _serverId = Guid.NewGuid().ToString("N");

    protected override string ChannelName => "ledger-commits";

    private CommitSignal Commits => Services.GetRequiredService<CommitSignal>();

    protected override void OnMessage(RedisValue message)
    {
        if (message != _serverId)
        {
            Commits.CommittedElsewhere();
        }
    }

    protected override void OnResubscribed() => Commits.CommittedElsewhere();

    protected override async Task RunAsync(CancellationToken stoppingToken)
    {
        var (redis, channel, commits) = (Redis, Channel, Commits);
        // Only this writer's own commits: announcing what others announced would echo between the servers.
        var nextCommit = commits.NextLocalCommit;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await nextCommit.WaitAsync(stoppingToken).ConfigureAwait(false);
                // Taken before announcing, so a commit made while this announcement is on its way gets the next one.
                nextCommit = commits.NextLocalCommit;
                await redis.TryAsync(database => database.PublishAsync(channel, _serverId), 0L).ConfigureAwait(false);
                await Task.Delay(options.Value.CommitAnnouncementInterval, stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }
}
