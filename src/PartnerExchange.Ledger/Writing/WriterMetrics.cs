using System.Diagnostics.Metrics;

namespace PartnerExchange.Ledger.Writing;

/// <summary>
/// What the single writer reports (meter <see cref="MeterName"/>): how it settled each request, the size and
/// time of the groups it committed, and the requests waiting for it. A queue that stays long, or groups that
/// take long, say the writer is the exchange's bottleneck; refusals and replays say what partners send.
/// </summary>
public sealed class WriterMetrics
{
    /// <summary>The meter every writer instrument belongs to.</summary>
    public const string MeterName = "PartnerExchange.Ledger";

    // Group sizes run from 1 to Ledger:MaxGroupSize (4096 at most); durations from a fraction of a millisecond
    // (one fsync) to seconds (a group stuck behind a slow disk).
    private static readonly int[] GroupSizeBuckets = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096];
    private static readonly double[] DurationBucketsSeconds =
        [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5];

    private readonly Meter _meter;
    private readonly Counter<long> _requests;
    private readonly Histogram<int> _groupSize;
    private readonly Histogram<double> _groupDuration;

    /// <summary>Creates the instruments on a meter of <paramref name="meters"/>.</summary>
    public WriterMetrics(IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        _meter = meters.Create(MeterName);
        _requests = _meter.CreateCounter<long>("partnerexchange.ledger.requests", "{request}",
            "Write requests the writer settled, by outcome: committed, refused, replayed, dropped (its caller had gone), " +
            "busy (the queue was full) or failed.");
        _groupSize = _meter.CreateHistogram("partnerexchange.ledger.group.size", "{request}",
            "Requests committed together in one transaction and one fsync.",
            advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = GroupSizeBuckets });
        _groupDuration = _meter.CreateHistogram("partnerexchange.ledger.group.duration", "s",
            "Time from a group's first statement to its commit, fsync included; isolated=true for a group run again with a " +
            "savepoint per request.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBucketsSeconds });
    }

    /// <summary>Reports the queue's length whenever metrics are collected.</summary>
    internal void ObserveQueue(Func<int> waiting) =>
        _meter.CreateObservableGauge("partnerexchange.ledger.queue.depth", waiting, "{request}", "Write requests waiting for the writer.");

    internal void Settled(string outcome) => _requests.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    internal void Committed(int requests, TimeSpan duration, bool isolated)
    {
        var tag = new KeyValuePair<string, object?>("isolated", isolated);
        _groupSize.Record(requests, tag);
        _groupDuration.Record(duration.TotalSeconds, tag);
    }
}

/// <summary>How the writer settled a request, as <see cref="WriterMetrics"/> counts it.</summary>
internal static class WriteOutcome
{
    public const string Committed = "committed";
    public const string Refused = "refused";
    public const string Replayed = "replayed";
    public const string Dropped = "dropped";
    public const string Busy = "busy";
    public const string Failed = "failed";
}
