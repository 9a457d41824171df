using System.ComponentModel.DataAnnotations;

namespace PartnerExchange.Server.Events;

/// <summary>Settings of the event stream, EventsService.StreamEvents (section <c>Events</c>).</summary>
public sealed class EventStreamOptions
{
    /// <summary>The configuration section these options bind to.</summary>
    public const string SectionName = "Events";

    /// <summary>
    /// How long a stream may be idle before it sends a heartbeat. It is also how often an idle stream looks for
    /// events committed by another server process when Redis, which carries the servers' commit announcements, is
    /// unreachable. Default 15 s.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:10:00", ErrorMessage = "Events:HeartbeatInterval must be between 50 ms and 10 minutes.")]
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Most streams one partner may have open at once across every server that shares the Redis (while Redis does
    /// not answer, on each server). Operators tailing a partner count in a separate pool of the same size per
    /// partner, so ops never lock a partner's own consumers out. Default 4.
    /// </summary>
    [Range(1, 1_000, ErrorMessage = "Events:MaxStreamsPerPartner must be between 1 and 1,000.")]
    public int MaxStreamsPerPartner { get; set; } = 4;

    /// <summary>
    /// How long an open stream's slot is held in Redis without renewal (it is renewed three times per lease while the
    /// stream runs): a server that dies without closing its streams frees their slots this long after. Default 30 s.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:03", "00:10:00", ErrorMessage = "Events:StreamLease must be between 3 s and 10 minutes.")]
    public TimeSpan StreamLease { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Events read from the ledger at a time. A stream holds at most one batch in memory and writes it only as
    /// fast as the consumer reads (HTTP/2 flow control), so this bounds a slow consumer's cost. Default 256.
    /// </summary>
    [Range(1, 10_000, ErrorMessage = "Events:ReadBatchSize must be between 1 and 10,000.")]
    public int ReadBatchSize { get; set; } = 256;

    /// <summary>
    /// The shortest time between two announcements, through Redis, that this server's writer committed: other
    /// servers' streams show its events up to this much later, and a busy writer sends at most one announcement per
    /// interval. Default 20 ms.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:00:10", ErrorMessage = "Events:CommitAnnouncementInterval must be between 1 ms and 10 s.")]
    public TimeSpan CommitAnnouncementInterval { get; set; } = TimeSpan.FromMilliseconds(20);

    /// <summary>
    /// How long events are kept. Older ones are removed, oldest first, and a stream that would need them gets
    /// CURSOR_EXPIRED; transactions and balances are kept for good either way. Zero (the default) keeps every event.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "3650.00:00:00", ErrorMessage = "Events:Retention must be between 0 (keep every event) and 3650 days.")]
    public TimeSpan Retention { get; set; } = TimeSpan.Zero;

    /// <summary>How often the server removes events older than <see cref="Retention"/>. Default 1 h.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00", ErrorMessage = "Events:PruneInterval must be between 1 s and 1 day.")]
    public TimeSpan PruneInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// Most events removed in one ledger transaction: each batch holds the writer for a moment only, and a run
    /// takes batches until nothing old enough is left. Default 10,000.
    /// </summary>
    [Range(1, 1_000_000, ErrorMessage = "Events:PruneBatchSize must be between 1 and 1,000,000.")]
    public int PruneBatchSize { get; set; } = 10_000;

    /// <summary>The retry delay suggested to a partner refused TOO_MANY_STREAMS. Default 1 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00", ErrorMessage = "Events:TooManyStreamsRetryDelay must be between 10 ms and 10 minutes.")]
    public TimeSpan TooManyStreamsRetryDelay { get; set; } = TimeSpan.FromSeconds(1);
}
