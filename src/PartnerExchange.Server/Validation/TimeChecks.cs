using Google.Protobuf.WellKnownTypes;
using PartnerExchange.Domain;

namespace PartnerExchange.Server.Validation;

/// <summary>Checks of protobuf timestamps, which can hold values no clock can.</summary>
internal static class TimeChecks
{
    public static FieldViolation? Valid(Timestamp? time, string field) =>
        time is null || (time.Nanos is >= 0 and < 1_000_000_000 && time.Seconds is >= -62_135_596_800 and <= 253_402_300_799)
            ? null
            : new FieldViolation(field, "must be a valid timestamp");

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
