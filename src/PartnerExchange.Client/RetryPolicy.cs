using Grpc.Core;

namespace PartnerExchange.Client;

/// <summary>
/// Decides whether a failed attempt is tried again and after how long. Only failures that are both transient
/// and safe to repeat are retried; mutations are safe because every attempt sends the same idempotency key.
/// </summary>
internal sealed class RetryPolicy(int maxAttempts, TimeSpan initialBackoff, TimeSpan maxBackoff)
{
    private const string RequestInProgressReason = "REQUEST_IN_PROGRESS";
    private const string RateLimitedReason = "RATE_LIMITED";
    private const string TooManyStreamsReason = "TOO_MANY_STREAMS";

    /// <summary>
    /// The wait before the next attempt, or <see langword="null"/> when the failure is final: it is not
    /// transient, the attempts are spent, or the wait would not end before the operation's deadline.
    /// </summary>
    /// <param name="failure">The failure of the attempt that just ended.</param>
    /// <param name="attempt">The number of that attempt, 1 for the first.</param>
    /// <param name="remaining">The time left until the operation's deadline.</param>
    public TimeSpan? DelayBeforeRetry(PartnerExchangeException failure, int attempt, TimeSpan remaining)
    {
        if (attempt >= maxAttempts || !IsTransient(failure))
        {
            return null;
        }

        // The server knows best when it can take the request again, so its RetryInfo delay wins.
        var delay = failure.RetryAfter ?? Backoff(attempt);

        // An attempt that could only start at or after the deadline would fail with DEADLINE_EXCEEDED; the
        // caller learns more from the real failure, and learns it sooner.
        return delay < remaining ? delay : null;
    }

    /// <summary>
    /// UNAVAILABLE (the server or the network is down for a moment), ABORTED with REQUEST_IN_PROGRESS (the
    /// same idempotency key is still running) and RESOURCE_EXHAUSTED with RATE_LIMITED or TOO_MANY_STREAMS (only
    /// event streams get it: a slot frees when another stream of the partner ends). Everything else is a
    /// definite answer or a bug that repeating would not change; in particular RESOURCE_EXHAUSTED without the
    /// reason means a message too large, and DEADLINE_EXCEEDED means the whole budget is spent.
    /// </summary>
    private static bool IsTransient(PartnerExchangeException failure) => failure.StatusCode switch
    {
        StatusCode.Unavailable => true,
        StatusCode.Aborted => failure.Reason == RequestInProgressReason,
        StatusCode.ResourceExhausted => failure.Reason is RateLimitedReason or TooManyStreamsReason,
        _ => false,
    };

    /// <summary>
    /// Exponential backoff with "equal jitter": the bound doubles per retry from the initial backoff up to
    /// the cap, and the wait is drawn uniformly from [bound / 2, bound]. The random half spreads clients that
    /// failed together; the fixed half keeps a rate-limited client from coming back at once.
    /// </summary>
    private TimeSpan Backoff(int attempt)
    {
        var boundTicks = Math.Min(initialBackoff.Ticks * Math.Pow(2, attempt - 1), maxBackoff.Ticks);
        return TimeSpan.FromTicks((long)(boundTicks * (0.5 + (Random.Shared.NextDouble() / 2))));
    }
}
