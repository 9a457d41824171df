namespace PartnerExchange.Server.RateLimiting;

/// <summary>Registers rate limiting: validated options, the shared limiter with its local fallback, the step and the member check.</summary>
internal static class RateLimitingServiceCollectionExtensions
{
    public static IServiceCollection AddRateLimiting(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<RateLimitOptions>()
            .Bind(configuration.GetSection(RateLimitOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<LocalRequestLimiter>();
        services.AddSingleton<RequestLimiter>();
        services.AddSingleton<PartnerLimits>();
        services.AddSingleton<MemberVelocity>();
        services.AddSingleton<RateLimitInterceptor>();
        return services;
    }
}
