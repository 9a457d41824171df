using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using Grpc.Core;

namespace PartnerExchange.Server.Metrics;

/// <summary>
/// Every call's duration by service, method and status code (meter <see cref="MeterName"/>): calls per second,
/// latency percentiles and error rates per RPC, from one histogram. The partner is left out of it: hundreds of
/// partners times every method and status would be more series than a metrics store wants. Instead each partner's
/// calls are counted by outcome alone (five classes of status), so ops can see who calls, who is refused, who is
/// throttled and whom the exchange fails.
/// </summary>
internal sealed class CallMetrics
{
    /// <summary>The meter of the server's own instruments.</summary>
    public const string MeterName = "PartnerExchange.Server";

    // From a ping on a quiet machine (a tenth of a millisecond) to a deadline (seconds).
    private static readonly double[] DurationBucketsSeconds =
        [0.0001, 0.0002, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10];

    private readonly Histogram<double> _duration;
    private readonly Counter<long> _partnerCalls;
    // "/package.Service/Method" split once per method: the set of methods is fixed, the calls are not.
    private readonly ConcurrentDictionary<string, (string Service, string Method)> _methods = new(StringComparer.Ordinal);

    public CallMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _duration = meter.CreateHistogram("partnerexchange.rpc.duration", "s",
            "Time from a call's arrival to its answer (for a stream, its whole life), by rpc.service, rpc.method and " +
            "rpc.grpc.status_code.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBucketsSeconds });
        _partnerCalls = meter.CreateCounter<long>("partnerexchange.partner.calls", "{call}",
            "Calls by partner (its program code; 'operator'; 'anonymous' without a valid key: health checks, " +
            "reflection, calls refused at authentication and messages over the transport's hard cap, refused before it) and outcome: ok; refused (bad input, a failed " +
            "precondition, not found, not allowed, a key still running); throttled (RESOURCE_EXHAUSTED); cancelled " +
            "(the caller's deadline passed or it gave up); failed (the exchange's side).");
    }

    /// <param name="fullMethod">The gRPC method, "/package.Service/Method".</param>
    /// <param name="code">The status the call ended with.</param>
    /// <param name="startedTimestamp">When the call arrived (a <see cref="Stopwatch"/> timestamp).</param>
    /// <param name="partner">Who called, as the partner label says it (see <see cref="PartnerLabel"/>).</param>
    public void Record(string fullMethod, StatusCode code, long startedTimestamp, string partner)
    {
        // Nobody collects unless the metrics endpoint is on.
        if (_duration.Enabled)
        {
            var (service, method) = _methods.GetOrAdd(fullMethod, Split);
            var tags = new TagList
            {
                { "rpc.service", service },
                { "rpc.method", method },
                { "rpc.grpc.status_code", StatusNames.Of(code) },
            };
            _duration.Record(Stopwatch.GetElapsedTime(startedTimestamp).TotalSeconds, tags);
        }
        if (_partnerCalls.Enabled)
        {
            _partnerCalls.Add(1, new KeyValuePair<string, object?>("partner", partner), new KeyValuePair<string, object?>("outcome", OutcomeOf(code)));
        }
    }

    /// <summary>
    /// The partner label of a caller: its program code, "operator" for an operator key, "anonymous" when the call
    /// carried no valid key (health checks and reflection, which are open, and calls refused at authentication).
    /// Only authenticated identities become labels, so the series stay as many as the partners, whatever callers send.
    /// </summary>
    public static string PartnerLabel(string? programCode, bool authenticated) =>
        !authenticated ? "anonymous" : programCode ?? "operator";

    /// <summary>The outcome class of a status code, as the partner calls counter labels it.</summary>
    public static string OutcomeOf(StatusCode code) => code switch
    {
        StatusCode.OK => "ok",
        StatusCode.InvalidArgument or StatusCode.FailedPrecondition or StatusCode.NotFound or StatusCode.AlreadyExists
            or StatusCode.PermissionDenied or StatusCode.Unauthenticated or StatusCode.OutOfRange or StatusCode.Aborted => "refused",
        StatusCode.ResourceExhausted => "throttled",
        StatusCode.Cancelled or StatusCode.DeadlineExceeded => "cancelled",
        _ => "failed",
    };

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
