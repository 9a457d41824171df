namespace PartnerExchange.Server.Events;

/// <summary>
/// Registers the event stream: its validated options, the per-partner stream cap, the stream runner, the commit
/// announcements between servers and the retention job.
/// </summary>
internal static class EventStreamServiceCollectionExtensions
{
    public static IServiceCollection AddEventStreams(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<EventStreamOptions>()
            .Bind(configuration.GetSection(EventStreamOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<StreamSlots>();
        services.AddSingleton<EventStreams>();
        services.AddHostedService<CommitAnnouncements>();
        services.AddHostedService<EventRetentionJob>();
        return services;
    }
}
