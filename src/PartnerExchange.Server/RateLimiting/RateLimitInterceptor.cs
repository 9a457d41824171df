using Grpc.Core.Interceptors;

namespace PartnerExchange.Server.RateLimiting;

/// <summary>Placeholder: the per-partner rate limit step, after authentication and before any ledger work.</summary>
internal sealed class RateLimitInterceptor : Interceptor
{
}
