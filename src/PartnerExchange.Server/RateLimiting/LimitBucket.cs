using Grpc.Core;
using PartnerExchange.Ledger.Commands;

namespace PartnerExchange.Server.RateLimiting;

/// <summary>
/// A bucket a call draws one request from: a partner's class, or one member's velocity. A write draws its
/// buckets and claims its idempotency key in one Redis round trip.
/// </summary>
/// <param name="Principal">The partner, or the operators' scope (the hash tag of the key).</param>
/// <param name="Kind">The kind segment of the key (<c>rl</c>, <c>vel</c>).</param>
/// <param name="Name">The name segment of the key (the class, or the member number).</param>
/// <param name="Limit">The limit of the bucket.</param>
/// <param name="Refuse">The RATE_LIMITED error of this bucket for a wait (and its log line).</param>
internal sealed record LimitBucket(string Principal, string Kind, string Name, RateLimit Limit, Func<TimeSpan, RpcException> Refuse);
