namespace PartnerExchange.Server.RateLimiting;

/// <summary>Registers rate limiting.</summary>
internal static class RateLimitingServiceCollectionExtensions
{
    public static IServiceCollection AddRateLimiting(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddSingleton<RateLimitInterceptor>();
        return services;
    }
}
