using Google.Protobuf.WellKnownTypes;
using PartnerExchange.Domain;

namespace PartnerExchange.Server.Validation;

/// <summary>Checks of protobuf timestamps, which can hold values no clock can.</summary>
internal static class TimeChecks
{
    /// <summary>The first time a request may carry: the Unix epoch, from which the ledger counts its microseconds.</summary>
    public static readonly DateTimeOffset Earliest = DateTimeOffset.UnixEpoch;

    /// <summary>
    /// The first time a request may no longer carry. A thousand years short of the largest time .NET holds, so no
    /// sum a time goes into (expiry horizons and warnings, rounding up to whole microseconds) can overflow.
    /// </summary>
    public static readonly DateTimeOffset End = new(9000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static readonly long EndSeconds = End.ToUnixTimeSeconds();

    private const string OutOfRange = "must be a valid timestamp from 1970-01-01T00:00:00Z up to, not including, 9000-01-01T00:00:00Z";

    public static FieldViolation? Valid(Timestamp? time, string field) =>
        time is null || (time.Nanos is >= 0 and < 1_000_000_000 && time.Seconds >= 0 && time.Seconds < EndSeconds)
            ? null
            : new FieldViolation(field, OutOfRange);

    public static IEnumerable<FieldViolation> Range(Timestamp? start, Timestamp? end, string startField, string endField)
    {
        var startViolation = Valid(start, startField);
        var endViolation = Valid(end, endField);
        if (startViolation is not null)
        {
            yield return startViolation;
        }
        if (endViolation is not null)
        {
            yield return endViolation;
        }
        if (startViolation is null && endViolation is null && start is not null && end is not null && start >= end)
        {
            yield return new FieldViolation(endField, $"must be after {startField}");
        }
    }
}
