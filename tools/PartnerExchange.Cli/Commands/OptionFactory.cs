using System.CommandLine;
using Google.Protobuf.WellKnownTypes;
using PartnerExchange.V1;

namespace PartnerExchange.Cli.Commands;

/// <summary>Options and arguments that several commands share, with their parsers.</summary>
internal static class OptionFactory
{
    /// <summary>The page size list commands ask for: the server's maximum, so few round trips are needed.</summary>
    public const int PageSize = 500;

    public static Argument<string> ProgramCode(string description = "The partner's program code.") =>
        new("CODE") { Description = description };

    public static Option<Timestamp?> Time(string name, string description, bool required = false) =>
        new(name)
        {
            Description = description,
            Required = required,
            CustomParser = result => ValueParsers.ParseWith(result, ValueParsers.ParseTimestamp),
        };

    public static Option<long> Long(string name, string description, bool required = false) =>
        new(name) { Description = description, Required = required };

    public static Option<RateLimit?> RateLimitOption(string name, string what) =>
        new(name)
        {
            Description = $"Limit of {what} calls as REQUESTS_PER_SECOND:BURST, e.g. 200:400.",
            CustomParser = result => ValueParsers.ParseWith(result, ParseRateLimit),
        };

    private static RateLimit ParseRateLimit(string text)
    {
        var (perSecond, burst) = ValueParsers.ParsePair(text);
        if (perSecond > int.MaxValue || burst > int.MaxValue)
        {
            throw new FormatException($"'{text}' is out of range; both numbers must fit in 32 bits.");
        }
        return new RateLimit { RequestsPerSecond = (int)perSecond, Burst = (int)burst };
    }
}
