using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PartnerExchange.Ledger.Engines;
using PartnerExchange.Ledger.Reading;
using PartnerExchange.Ledger.Writing;

namespace PartnerExchange.Ledger;

/// <summary>Registers the ledger: its database, the single writer and the queries.</summary>
public static class LedgerServiceCollectionExtensions
{
    /// <summary>
    /// Adds the ledger services; options are bound and validated by the caller. The engine (SQLite, or PostgreSQL when
    /// <see cref="LedgerOptions.Postgres"/> is set) is chosen once, by the database, and the writer runs on it.
    /// </summary>
    public static IServiceCollection AddLedger(this IServiceCollection services)
    {
        services.AddSingleton<LedgerDatabase>();
        services.AddSingleton<ILedgerEngine>(sp =>
            LedgerEngines.Create(sp.GetRequiredService<LedgerDatabase>(), sp.GetRequiredService<IOptions<LedgerOptions>>().Value));
        services.AddSingleton<CommitSignal>();
        // Resolved only where the host registers IMeterFactory (AddMetrics; every ASP.NET Core host does).
        services.AddSingleton<WriterMetrics>();
        services.AddSingleton<EventFeed>();
        services.AddSingleton<ExpiryQueries>();
        services.AddSingleton<Expiry.ExpiryForecast>();
        services.AddSingleton(sp => new LedgerWriter(
            sp.GetRequiredService<IOptions<LedgerOptions>>().Value, sp.GetRequiredService<ILedgerEngine>(), sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<LedgerWriter>>(), sp.GetRequiredService<CommitSignal>(), sp.GetService<WriterMetrics>()));
        services.AddSingleton<ILedgerWriter>(sp => sp.GetRequiredService<LedgerWriter>());
        services.AddSingleton<LedgerQueries>();
        services.AddSingleton<LedgerAudit>();
        services.AddSingleton<Settlement.PeriodSnapshots>();
        return services;
    }
}
