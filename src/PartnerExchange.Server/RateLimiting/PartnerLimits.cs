using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using PartnerExchange.Ledger.Commands;
using PartnerExchange.Ledger.Reading;

namespace PartnerExchange.Server.RateLimiting;

/// <summary>
/// Each partner's limit per class: its own (set through the admin API) or the configured default. A
/// partner's limits are read from the ledger at most once per <see cref="RateLimitOptions.PartnerLimitsCacheDuration"/>
/// per server, so limiting costs no database read per call. Holds one entry per partner that called.
/// </summary>
internal sealed class PartnerLimits(LedgerQueries queries, IOptions<RateLimitOptions> options, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, Cached> _byPartner = new(StringComparer.Ordinal);

    public async ValueTask<RateLimit> ForAsync(string programCode, LimitClass limitClass, CancellationToken cancellationToken)
    {
        var own = await OwnLimitsAsync(programCode, cancellationToken).ConfigureAwait(false);
        var partnerLimit = limitClass switch
        {
            LimitClass.Writes => own.Writes,
            LimitClass.Reads => own.Reads,
            LimitClass.Quotes => own.Quotes,
            _ => null,
        };
        return partnerLimit ?? options.Value.DefaultFor(limitClass);
    }

    private async ValueTask<PartnerRateLimits> OwnLimitsAsync(string programCode, CancellationToken cancellationToken)
    {
        var now = time.GetTimestamp();
        if (_byPartner.TryGetValue(programCode, out var cached) && time.GetElapsedTime(cached.ReadAt, now) < options.Value.PartnerLimitsCacheDuration)
        {
            return cached.Limits;
        }
        // Concurrent misses may each read once; that is cheaper and simpler than making them wait on each other.
        var partner = await queries.GetPartnerAsync(programCode, cancellationToken).ConfigureAwait(false);
        var limits = partner?.RateLimits ?? PartnerRateLimits.Defaults;
        _byPartner[programCode] = new Cached(limits, now);
        return limits;
    }

    private sealed record Cached(PartnerRateLimits Limits, long ReadAt);
}
