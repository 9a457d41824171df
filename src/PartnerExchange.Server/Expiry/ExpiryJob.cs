using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using PartnerExchange.Ledger.Writing;
using PartnerExchange.Server.Hosting;

namespace PartnerExchange.Server.Expiry;

/// <summary>
/// Runs expiry as of now when the server starts (catching up on any downtime) and then at every
/// interval. Each run has its own idempotency key, derived from its moment; a run that fails is logged
/// and the next one picks up whatever is still due.
/// </summary>
/// <remarks>
/// The runner (and with it the ledger writer) is resolved when the job first runs, not when the host
/// builds its hosted services, so a host that fails its options validation never opens the ledger.
/// </remarks>
internal sealed partial class ExpiryJob(
    IServiceProvider services, TimeProvider clock, IOptions<ExpiryOptions> options, ILogger<ExpiryJob> logger) : PeriodicJob(clock)
{
    /// <summary>The key id recorded on the job's transactions, where an operator's would be.</summary>
    public const string JobKeyId = "expiry-job";

    protected override bool IsEnabled => options.Value.JobEnabled;

    protected override TimeSpan Interval => options.Value.RunInterval;

    protected override async Task RunOnceAsync(CancellationToken stoppingToken)
    {
        var asOf = Clock.GetUtcNow();
        var key = $"expiry-job:{asOf.UtcDateTime:O}";
        var request = new IdempotencyScope(
            IdempotencyScope.OperatorPrincipal, null, JobKeyId, key, JobKeyId, SHA256.HashData(Encoding.UTF8.GetBytes(key)));
        try
        {
            var runner = services.GetRequiredService<ExpiryRunner>();
            var done = await runner.RunAsync(new ExpiryRun(request, asOf, null, DryRun: false), stoppingToken).ConfigureAwait(false);
            if (done.ExpiredAccounts > 0 || done.Warnings > 0)
            {
                LogRan(asOf, done.ExpiredPoints, done.ExpiredAccounts, done.Warnings);
            }
        }
        catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
        {
            LogFailed(ex, asOf);
        }
        catch (Exception) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: whatever committed stays, the rest is due at the next start.
        }
    }

    [LoggerMessage(EventId = 6001, Level = LogLevel.Information,
        Message = "Expiry as of {AsOf:O}: {Points} points expired from {Accounts} accounts, {Warnings} warnings sent")]
    private partial void LogRan(DateTimeOffset asOf, long points, long accounts, long warnings);

    [LoggerMessage(EventId = 6002, Level = LogLevel.Error, Message = "Expiry as of {AsOf:O} failed; the next run picks up what is still due")]
    private partial void LogFailed(Exception exception, DateTimeOffset asOf);
}
