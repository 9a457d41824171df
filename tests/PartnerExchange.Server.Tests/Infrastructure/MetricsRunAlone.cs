namespace PartnerExchange.Server.Tests.Infrastructure;

/// <summary>
/// Runs alone: OpenTelemetry collects every meter of a name in the process, so the servers of test classes
/// running beside it would add to the counts these tests compare.
/// </summary>
[CollectionDefinition(nameof(MetricsRunAlone), DisableParallelization = true)]
public sealed class MetricsRunAlone;
