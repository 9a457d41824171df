namespace PartnerExchange.Server.Hosting;

/// <summary>
/// A background job that runs once when the server starts (catching up on downtime) and then at every interval
/// of the server's clock, until the server stops. A run handles its own failures: the next one carries on.
/// </summary>
internal abstract class PeriodicJob(TimeProvider clock) : BackgroundService
{
    /// <summary>The server's clock, which also times the runs.</summary>
    protected TimeProvider Clock { get; } = clock;

    /// <summary>Whether the job runs at all; read once, at start.</summary>
    protected abstract bool IsEnabled { get; }

    /// <summary>The time between the end of one run and the start of the next.</summary>
    protected abstract TimeSpan Interval { get; }

    /// <summary>One run; it logs its own failures rather than throwing them.</summary>
    protected abstract Task RunOnceAsync(CancellationToken stoppingToken);

    protected sealed override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!IsEnabled)
        {
            return;
        }
        while (!stoppingToken.IsCancellationRequested)
        {
            await RunOnceAsync(stoppingToken).ConfigureAwait(false);
            try
            {
                await Task.Delay(Interval, Clock, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
