using Microsoft.Extensions.DependencyInjection;
using PartnerExchange.Ledger.Reading;
using PartnerExchange.Ledger.Writing;

namespace PartnerExchange.Ledger;

/// <summary>Registers the ledger: its database, the single writer and the queries.</summary>
public static class LedgerServiceCollectionExtensions
{
    /// <summary>Adds the ledger services; options are bound and validated by the caller.</summary>
    public static IServiceCollection AddLedger(this IServiceCollection services)
    {
        services.AddSingleton<LedgerDatabase>();
        services.AddSingleton<CommitSignal>();
        // Resolved only where the host registers IMeterFactory (AddMetrics; every ASP.NET Core host does).
        services.AddSingleton<WriterMetrics>();
        services.AddSingleton<EventFeed>();
        services.AddSingleton<ExpiryQueries>();
        services.AddSingleton<Expiry.ExpiryForecast>();
        services.AddSingleton<LedgerWriter>();
        services.AddSingleton<ILedgerWriter>(sp => sp.GetRequiredService<LedgerWriter>());
        services.AddSingleton<LedgerQueries>();
        services.AddSingleton<LedgerAudit>();
        services.AddSingleton<Settlement.PeriodSnapshots>();
        return services;
    }
}
