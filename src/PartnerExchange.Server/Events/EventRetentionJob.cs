using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using PartnerExchange.Domain;
using PartnerExchange.Ledger.Events;
using PartnerExchange.Ledger.Writing;
using PartnerExchange.Server.Errors;
using PartnerExchange.Server.Hosting;

namespace PartnerExchange.Server.Events;

/// <summary>
/// When Events:Retention is set, removes older events at start and then at every Events:PruneInterval, in batches
/// through the ledger writer (each batch a short transaction of its own, so writes keep flowing between them). A
/// run that fails is logged; the next one carries on from where the outbox is pruned to.
/// </summary>
/// <remarks>The writer is resolved when the job first runs, so a host that fails validation never opens the ledger.</remarks>
internal sealed partial class EventRetentionJob(
    IServiceProvider services, TimeProvider clock, IOptions<EventStreamOptions> options, ILogger<EventRetentionJob> logger)
    : PeriodicJob(clock)
{
    /// <summary>The key id recorded on the job's requests, where an operator's would be.</summary>
    public const string JobKeyId = "event-retention-job";

    // A run stops after this many batches even if more is due; the next run goes on. Bounds one run's hold on the writer.
    private const int MaxBatchesPerRun = 1_000;

    protected override bool IsEnabled => options.Value.Retention > TimeSpan.Zero;

    protected override TimeSpan Interval => options.Value.PruneInterval;

    protected override async Task RunOnceAsync(CancellationToken stoppingToken)
    {
        var olderThan = Clock.GetUtcNow() - options.Value.Retention;
        var batchSize = options.Value.PruneBatchSize;
        long removed = 0;
        try
        {
            var writer = services.GetRequiredService<ILedgerWriter>();
            for (var batch = 0; batch < MaxBatchesPerRun; batch++)
            {
                var pruned = await PruneBatchAsync(writer, olderThan, batch, batchSize, stoppingToken).ConfigureAwait(false);
                removed += pruned;
                if (pruned < batchSize)
                {
                    break;
                }
            }
            if (removed > 0)
            {
                LogPruned(removed, olderThan);
            }
        }
        catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
        {
            LogFailed(ex, olderThan);
        }
        catch (Exception) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: the batches that committed stay, the rest is due at the next start.
        }
    }

    /// <summary>Runs one batch; the number of events it removed.</summary>
    private static async Task<long> PruneBatchAsync(
        ILedgerWriter writer, DateTimeOffset olderThan, int batch, int batchSize, CancellationToken cancellationToken)
    {
        // Each batch is a request of its own to the writer, under a key derived from the run's moment and its number.
        var key = $"event-retention:{olderThan.UtcDateTime:O}#{batch}";
        var request = new IdempotencyScope(
            IdempotencyScope.OperatorPrincipal, null, JobKeyId, key, JobKeyId, SHA256.HashData(Encoding.UTF8.GetBytes(key)));
        var outcome = await writer.WriteAsync(request, new PruneEvents(olderThan, batchSize), Encode, cancellationToken).ConfigureAwait(false);
        if (!outcome.IsSuccess || outcome.Value.Response.IsRefusal)
        {
            throw new InvalidOperationException("The ledger refused to prune events.");
        }
        // The stored answer is the count, the same for a batch replayed after a restart.
        return long.Parse(Encoding.UTF8.GetString(outcome.Value.Response.Payload), CultureInfo.InvariantCulture);
    }

    private static StoredResponse Encode(Outcome<EventPruning> pruned) =>
        pruned.IsSuccess
            ? new StoredResponse(false, Encoding.UTF8.GetBytes(pruned.Value.PrunedEvents.ToString(CultureInfo.InvariantCulture)))
            : new StoredResponse(true, RpcErrors.Store(pruned.Refusal));

    [LoggerMessage(EventId = 7101, Level = LogLevel.Information, Message = "Event retention removed {Count} events older than {OlderThan:O}")]
    private partial void LogPruned(long count, DateTimeOffset olderThan);

    [LoggerMessage(EventId = 7102, Level = LogLevel.Error, Message = "Event retention (events older than {OlderThan:O}) failed; the next run carries on")]
    private partial void LogFailed(Exception exception, DateTimeOffset olderThan);
}
