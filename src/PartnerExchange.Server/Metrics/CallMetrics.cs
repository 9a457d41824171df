using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using Grpc.Core;

namespace PartnerExchange.Server.Metrics;

/// <summary>
/// Every call's duration by service, method and status code (meter <see cref="MeterName"/>): calls per second,
/// latency percentiles and error rates per RPC, from one histogram. The partner is left out: hundreds of
/// partners times every method and status would be more series than a metrics store wants.
/// </summary>
internal sealed class CallMetrics
{
    /// <summary>The meter of the server's own instruments.</summary>
    public const string MeterName = "PartnerExchange.Server";

    // From a ping on a quiet machine (a tenth of a millisecond) to a deadline (seconds).
    private static readonly double[] DurationBucketsSeconds =
        [0.0001, 0.0002, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10];

    private readonly Histogram<double> _duration;
    // "/package.Service/Method" split once per method: the set of methods is fixed, the calls are not.
    private readonly ConcurrentDictionary<string, (string Service, string Method)> _methods = new(StringComparer.Ordinal);

    public CallMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _duration = meter.CreateHistogram("partnerexchange.rpc.duration", "s",
            "Time from a call's arrival to its answer (for a stream, its whole life), by rpc.service, rpc.method and " +
            "rpc.grpc.status_code.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBucketsSeconds });
    }

    public void Record(string fullMethod, StatusCode code, long startedTimestamp)
    {
        // Nobody collects unless the metrics endpoint is on.
        if (!_duration.Enabled)
        {
            return;
        }
        var (service, method) = _methods.GetOrAdd(fullMethod, Split);
        var tags = new TagList
        {
            { "rpc.service", service },
            { "rpc.method", method },
            { "rpc.grpc.status_code", StatusNames.Of(code) },
        };
        _duration.Record(Stopwatch.GetElapsedTime(startedTimestamp).TotalSeconds, tags);
    }

    private static (string Service, string Method) Split(string fullMethod)
    {
        var slash = fullMethod.LastIndexOf('/');
        return slash > 0 ? (fullMethod[1..slash], fullMethod[(slash + 1)..]) : ("", fullMethod);
    }

    /// <summary>Status codes as gRPC names them (OK, NOT_FOUND…), built once.</summary>
    private static class StatusNames
    {
        private static readonly FrozenDictionary<StatusCode, string> Names =
            Enum.GetValues<StatusCode>().ToFrozenDictionary(code => code, ToUpperSnake);

        public static string Of(StatusCode code) =>
            Names.TryGetValue(code, out var name) ? name : ((int)code).ToString(CultureInfo.InvariantCulture);

        // DeadlineExceeded → DEADLINE_EXCEEDED; OK stays OK.
        private static string ToUpperSnake(StatusCode code)
        {
            var text = code.ToString();
            return string.Concat(text.Select((c, i) => i > 0 && char.IsUpper(c) && char.IsLower(text[i - 1]) ? "_" + c : char.ToUpperInvariant(c).ToString()));
        }
    }
}
