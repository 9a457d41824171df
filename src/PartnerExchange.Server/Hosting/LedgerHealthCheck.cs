using Microsoft.Extensions.Diagnostics.HealthChecks;
using PartnerExchange.Ledger.Reading;

namespace PartnerExchange.Server.Hosting;

/// <summary>Reports the ledger database, SQLite or PostgreSQL, healthy when a read succeeds (grpc.health.v1 serves it).</summary>
internal sealed class LedgerHealthCheck(LedgerQueries queries) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await queries.ListPartnersAsync(null, 1, cancellationToken).ConfigureAwait(false);
            return HealthCheckResult.Healthy("The ledger database answers.");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy("The ledger database does not answer.", ex);
        }
    }
}
