using System.ComponentModel.DataAnnotations;

namespace PartnerExchange.Server.Redis;

/// <summary>
/// Settings of the Redis fast path (section <c>Redis</c>; env <c>PX_REDIS</c> sets the configuration).
/// Redis makes retries cheap and shares rate limits between servers; it is never the only guard against a
/// double posting, so the exchange keeps working, degraded, without it.
/// </summary>
public sealed class RedisOptions
{
    /// <summary>
    /// StackExchange.Redis configuration, e.g. <c>127.0.0.1:6379</c>. Empty (the default): no Redis; the
    /// ledger guards idempotency alone and rate limits are kept per process.
    /// </summary>
    public string? Configuration { get; set; }

    /// <summary>Prefix of every key, so several exchanges can share one Redis. Default <c>px</c>.</summary>
    [RegularExpression("^[A-Za-z0-9_.-]{1,32}$", ErrorMessage = "Redis:KeyPrefix must be 1–32 characters of letters, digits, '.', '_' or '-'.")]
    public string KeyPrefix { get; set; } = "px";

    /// <summary>Longest wait for one Redis command before the exchange goes on without it. Default 250 ms.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:00:10", ErrorMessage = "Redis:OperationTimeout must be between 10 ms and 10 s.")]
    public TimeSpan OperationTimeout { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// How long Redis remembers a completed request's key and fingerprint, so its repeats are answered without
    /// the writer queue (a replay's response is read from the ledger, which keeps it for good). Default 24 h.
    /// </summary>
    [Range(typeof(TimeSpan), "00:01:00", "30.00:00:00", ErrorMessage = "Redis:IdempotencyTtl must be between 1 minute and 30 days.")]
    public TimeSpan IdempotencyTtl { get; set; } = TimeSpan.FromHours(24);

    /// <summary>
    /// How long a request's in-flight marker lives. A server that dies mid-request holds its key at most
    /// this long; after that the ledger answers retries. Default 30 s.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00", ErrorMessage = "Redis:InFlightTtl must be between 1 s and 10 minutes.")]
    public TimeSpan InFlightTtl { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The retry delay suggested to a caller whose request with the same key is still running. Default 200 ms.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:01:00", ErrorMessage = "Redis:InProgressRetryDelay must be between 10 ms and 1 minute.")]
    public TimeSpan InProgressRetryDelay { get; set; } = TimeSpan.FromMilliseconds(200);
}
