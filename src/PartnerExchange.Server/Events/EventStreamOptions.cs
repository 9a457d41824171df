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
    /// Most streams one partner may have open at once on this server process (the cap is in-process: with several
    /// instances a partner may open this many on each). Operators tailing a partner count in a separate pool of
    /// the same size per partner, so ops never lock a partner's own consumers out. Default 4.
    /// </summary>
    [Range(1, 1_000, ErrorMessage = "Events:MaxStreamsPerPartner must be between 1 and 1,000.")]
    public int MaxStreamsPerPartner { get; set; } = 4;

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

    /// <summary>The retry delay suggested to a partner refused TOO_MANY_STREAMS. Default 1 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00", ErrorMessage = "Events:TooManyStreamsRetryDelay must be between 10 ms and 10 minutes.")]
    public TimeSpan TooManyStreamsRetryDelay { get; set; } = TimeSpan.FromSeconds(1);
}
