using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using PartnerExchange.Ledger.Commands;

namespace PartnerExchange.Server.RateLimiting;

/// <summary>
/// Request limits (section <c>RateLimits</c>). Each partner has one bucket per method class (writes, reads,
/// quotes), shared by every server through Redis and kept per process when Redis is away. A partner's own
/// limits, set through the admin API, win over these defaults class by class.
/// </summary>
public sealed class RateLimitOptions
{
    /// <summary>The configuration section the options are bound from.</summary>
    public const string SectionName = "RateLimits";

    /// <summary>
    /// Default limit of a partner's writes (EnrollMember, Accrue, Redeem, Reverse, Convert).
    /// Default 200 requests per second, burst 400.
    /// </summary>
    [Required]
    [ValidateObjectMembers]
    public RequestRate Writes { get; set; } = new() { RequestsPerSecond = 200, Burst = 400 };

    /// <summary>
    /// Default limit of a partner's reads (GetAccount, ListTransactions, GetTransaction, ListRates).
    /// Default 1,000 requests per second, burst 2,000.
    /// </summary>
    [Required]
    [ValidateObjectMembers]
    public RequestRate Reads { get; set; } = new() { RequestsPerSecond = 1000, Burst = 2000 };

    /// <summary>Default limit of a partner's quotes (Quote). Default 200 requests per second, burst 400.</summary>
    [Required]
    [ValidateObjectMembers]
    public RequestRate Quotes { get; set; } = new() { RequestsPerSecond = 200, Burst = 400 };

    /// <summary>
    /// Accruals and conversions per member of one partner, together: stops a partner's integration (or
    /// someone abusing it) from feeding one member through many small calls. No real member earns ten
    /// times a second for long, so this never touches honest traffic. Default 10 per second, burst 30.
    /// </summary>
    [Required]
    [ValidateObjectMembers]
    public RequestRate MemberVelocity { get; set; } = new() { RequestsPerSecond = 10, Burst = 30 };

    /// <summary>Whether operator (admin API) calls are limited, all operator keys sharing <see cref="Operators"/>. Default false.</summary>
    public bool LimitOperators { get; set; }

    /// <summary>The operators' limit when <see cref="LimitOperators"/> is on. Default 50 requests per second, burst 100.</summary>
    [Required]
    [ValidateObjectMembers]
    public RequestRate Operators { get; set; } = new() { RequestsPerSecond = 50, Burst = 100 };

    /// <summary>
    /// How long a server keeps a partner's own limits before reading them again, so limits cost no
    /// database read per call; a change through the admin API takes effect within this time. Default 5 s.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:05:00", ErrorMessage = "RateLimits:PartnerLimitsCacheDuration must be between 0 and 5 minutes.")]
    public TimeSpan PartnerLimitsCacheDuration { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Most buckets the in-process fallback limiter holds (used while Redis is away). Idle buckets are
    /// dropped first; when every bucket is busy, a new key is let through untracked rather than evicting
    /// a live one. Default 100,000 (a few MB).
    /// </summary>
    [Range(1_000, 10_000_000, ErrorMessage = "RateLimits:MaxLocalKeys must be between 1,000 and 10,000,000.")]
    public int MaxLocalKeys { get; set; } = 100_000;

    /// <summary>The configured default limit of a class.</summary>
    internal RateLimit DefaultFor(LimitClass limitClass) => (limitClass switch
    {
        LimitClass.Writes => Writes,
        LimitClass.Reads => Reads,
        LimitClass.Quotes => Quotes,
        LimitClass.Operators => Operators,
        _ => throw new ArgumentOutOfRangeException(nameof(limitClass), limitClass, "Not a limit class."),
    }).ToLimit();
}

/// <summary>A sustained rate with a burst: up to <see cref="Burst"/> requests at once, then <see cref="RequestsPerSecond"/>.</summary>
public sealed class RequestRate
{
    /// <summary>Requests per second, sustained. No default of its own: each limit sets one.</summary>
    [Range(1, 1_000_000, ErrorMessage = "RequestsPerSecond must be between 1 and 1,000,000 (RateLimits:<Class>:RequestsPerSecond).")]
    public int RequestsPerSecond { get; set; }

    /// <summary>Requests allowed at once after a quiet spell; at least 1. No default of its own: each limit sets one.</summary>
    [Range(1, 10_000_000, ErrorMessage = "Burst must be between 1 and 10,000,000 (RateLimits:<Class>:Burst).")]
    public int Burst { get; set; }

    internal RateLimit ToLimit() => new(RequestsPerSecond, Burst);
}
