using Grpc.Core;
using Grpc.Core.Interceptors;
using PartnerExchange.Testing;
using PartnerExchange.V1;

namespace PartnerExchange.Server.Tests.Hosting;

public sealed class DiagnosticsTests(RunningExchange exchange) : IntegrationTest(exchange), IClassFixture<RunningExchange>
{
    [Fact]
    public async Task Ping_WithPartnerKey_NamesThePartner()
    {
        var shop = await Exchange.CreatePartnerAsync();

        var pong = await Client(shop.Key).PingAsync(new PingRequest());

        Assert.Equal(shop.ProgramCode, pong.ProgramCode);
        Assert.StartsWith(pong.KeyId, shop.Key["pxk_".Length..], StringComparison.Ordinal);
        Assert.NotNull(pong.ServerTime);
    }

    [Fact]
    public async Task Ping_WithOperatorKey_HasNoProgram()
    {
        var pong = await Client(Exchange.OperatorKey).PingAsync(new PingRequest());

        Assert.Empty(pong.ProgramCode);
        Assert.Equal("bootstrap", pong.KeyId);
    }

    [Fact]
    public async Task Ping_AnyKey_SaysTheReleaseVersionThatAnswered()
    {
        var pong = await Client(Exchange.OperatorKey).PingAsync(new PingRequest());

        Assert.Matches(@"^\d+\.\d+\.\d+", pong.ServerVersion);
        Assert.Equal(Repository.Version, pong.ServerVersion.Split('+')[0]);
    }

    [Fact]
    public async Task Ping_WithOperatorKey_SaysTheLedgerEngine()
    {
        var pong = await Client(Exchange.OperatorKey).PingAsync(new PingRequest());

        Assert.Equal(LedgerEngine.Sqlite, pong.LedgerEngine);
    }

    [Fact]
    public async Task Ping_WithPartnerKey_LedgerEngineNotTold()
    {
        var shop = await Exchange.CreatePartnerAsync();

        var pong = await Client(shop.Key).PingAsync(new PingRequest());

        Assert.Equal(LedgerEngine.Unspecified, pong.LedgerEngine);
    }

    [Fact]
    public Task Ping_WithUnknownKey_IsUnauthenticated() =>
        RpcAssert.FailsAsync(StatusCode.Unauthenticated, "API_KEY_INVALID", () => Client("pxk_nope").PingAsync(new PingRequest()));

    private DiagnosticsService.DiagnosticsServiceClient Client(string key) =>
        new(Exchange.Channel.Intercept(m => { m.Add("authorization", $"Bearer {key}"); return m; }));
}

/// <summary>The exchange says which version it is when it starts, so every log tells which build wrote it.</summary>
public sealed class StartupLogTests : IAsyncLifetime
{
    private readonly RunningExchange _exchange = new();

    public async Task InitializeAsync()
    {
        _exchange.Settings["Serilog:MinimumLevel:Default"] = "Information";
        await _exchange.InitializeAsync();
    }

    public Task DisposeAsync() => _exchange.DisposeAsync();

    [Fact]
    public void Start_LogsTheReleaseVersionAndWhereItServes()
    {
        var serving = Assert.Single(_exchange.Logs, e => e.MessageTemplate.Text.StartsWith("PartnerExchange {Version} serving", StringComparison.Ordinal));

        var version = Assert.IsType<Serilog.Events.ScalarValue>(serving.Properties["Version"]).Value as string;
        Assert.Equal(Repository.Version, version?.Split('+')[0]);
        Assert.Contains(_exchange.Address.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), serving.RenderMessage(), StringComparison.Ordinal);
    }
}
