using PartnerExchange.Testing;
using Serilog.Events;

namespace PartnerExchange.Server.Tests.Infrastructure;

/// <summary>Fails a test when its server logged an error while the test ran, as <see cref="IntegrationTest"/> does.</summary>
public sealed class ServerErrorGuard(RunningExchange exchange, Func<LogEvent, bool>? expected = null)
{
    private readonly int _before = exchange.ErrorLogs.Count;

    /// <summary>The error the health service logs whenever the Redis check finds Redis down: expected in an outage.</summary>
    public static bool IsRedisUnhealthy(LogEvent logEvent) =>
        logEvent.Properties.TryGetValue("HealthCheckName", out var name) && name is ScalarValue { Value: "redis" };

    public Task AssertNoneAsync()
    {
        var newErrors = exchange.ErrorLogs.Skip(_before)
            .Where(e => expected?.Invoke(e) != true)
            .Select(e => e.RenderMessage() + " " + e.Exception).ToList();
        Assert.True(newErrors.Count == 0, "The server logged errors:\n" + string.Join('\n', newErrors));
        return Task.CompletedTask;
    }
}
