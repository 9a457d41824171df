using Grpc.Core;
using Grpc.Health.V1;
using PartnerExchange.Testing;

namespace PartnerExchange.Server.Tests.Errors;

/// <summary>The standard health service's errors carry an ErrorInfo too, as every error the exchange answers.</summary>
public sealed class HealthErrorTests(RunningExchange exchange) : IntegrationTest(exchange), IClassFixture<RunningExchange>
{
    [Fact]
    public async Task Check_ServiceTheExchangeDoesNotReport_NotFoundWithAReason()
    {
        var health = new Health.HealthClient(Exchange.Channel);

        var error = await RpcAssert.FailsAsync(StatusCode.NotFound, "SERVICE_NOT_FOUND",
            () => health.CheckAsync(new HealthCheckRequest { Service = "no.such.Service" }).ResponseAsync);

        Assert.StartsWith("SERVICE_NOT_FOUND: ", error.Status.Detail, StringComparison.Ordinal);
    }
}
