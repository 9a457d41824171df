using System.Reflection;

namespace PartnerExchange.Server.Hosting;

/// <summary>The exchange's version, set once in Directory.Build.props for the server, pxctl, the client and the protos.</summary>
internal static partial class ExchangeVersion
{
    /// <summary>The informational version: the release's semantic version, then <c>+</c> and the source revision when known.</summary>
    public static string Current { get; } =
        typeof(ExchangeVersion).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    /// <summary>Says which version started serving where, so every log tells which build wrote it.</summary>
    public static void LogServing(ILogger logger, string addresses) => LogServingVersion(logger, Current, addresses);

    [LoggerMessage(EventId = 1900, Level = LogLevel.Information, Message = "PartnerExchange {Version} serving on {Addresses}")]
    private static partial void LogServingVersion(ILogger logger, string version, string addresses);
}
