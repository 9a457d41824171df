using Grpc.Core;
using Grpc.Net.Client;
using PartnerExchange.Testing;
using PartnerExchange.V1;

namespace PartnerExchange.Server.Tests;

/// <summary>A server on https:// that requires client certificates from one authority (mutual TLS).</summary>
public sealed class MutualTlsExchange : IAsyncLifetime
{
    public TestAuthority Authority { get; } = new("PartnerExchange test CA");

    public RunningExchange Exchange { get; } = new();

    public Task InitializeAsync()
    {
        var (certificate, key) = Authority.IssueServer();
        Exchange.Settings["Exchange:Listen"] = "https://127.0.0.1:0";
        Exchange.Settings["Tls:CertificatePath"] = certificate;
        Exchange.Settings["Tls:KeyPath"] = key;
        Exchange.Settings["Tls:ClientCertificateAuthorityPath"] = Authority.CertificatePath;
        Exchange.HttpHandler = Authority.Handler(Authority.IssueClient("ops"));
        return Exchange.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await Exchange.DisposeAsync();
        Authority.Dispose();
    }
}

/// <summary>The gRPC port over TLS, with client certificates required: real handshakes through real channels.</summary>
public sealed class TlsTests(MutualTlsExchange fixture) : IntegrationTest(fixture.Exchange), IClassFixture<MutualTlsExchange>
{
    [Fact]
    public async Task Ping_OverTlsWithAClientCertificateOfTheAuthority_Answers()
    {
        var shop = await Exchange.CreatePartnerAsync();

        var pong = await new DiagnosticsService.DiagnosticsServiceClient(Exchange.Channel)
            .PingAsync(new PingRequest(), RunningExchange.Bearer(shop.Key));

        Assert.Equal(shop.ProgramCode, pong.ProgramCode);
        Assert.StartsWith("https://", Exchange.Address.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ping_WithoutAClientCertificate_IsRefusedAtTheHandshake()
    {
        var shop = await Exchange.CreatePartnerAsync();
        using var channel = GrpcChannel.ForAddress(Exchange.Address, new GrpcChannelOptions { HttpHandler = fixture.Authority.Handler() });

        var error = await Assert.ThrowsAsync<RpcException>(() =>
            new DiagnosticsService.DiagnosticsServiceClient(channel).PingAsync(new PingRequest(), RunningExchange.Bearer(shop.Key)).ResponseAsync);

        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
    }

    [Fact]
    public async Task Ping_WithAClientCertificateOfAnotherAuthority_IsRefusedAtTheHandshake()
    {
        var shop = await Exchange.CreatePartnerAsync();
        using var stranger = new TestAuthority("Some other CA");
        using var handler = fixture.Authority.Handler(stranger.IssueClient("intruder"));
        using var channel = GrpcChannel.ForAddress(Exchange.Address, new GrpcChannelOptions { HttpHandler = handler });

        var error = await Assert.ThrowsAsync<RpcException>(() =>
            new DiagnosticsService.DiagnosticsServiceClient(channel).PingAsync(new PingRequest(), RunningExchange.Bearer(shop.Key)).ResponseAsync);

        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
    }

    [Fact]
    public async Task Start_HttpsAddressWithoutACertificate_FailsNamingTheSettings()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => StartAsync(new() { ["Exchange:Listen"] = "https://127.0.0.1:0" }));

        Assert.Contains("Tls:CertificatePath", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_CertificateWithAnHttpAddress_FailsNamingTheAddress()
    {
        var (certificate, key) = fixture.Authority.IssueServer();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => StartAsync(new()
        {
            ["Exchange:Listen"] = "http://127.0.0.1:0", ["Tls:CertificatePath"] = certificate, ["Tls:KeyPath"] = key,
        }));

        Assert.Contains("https://", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Tls:CertificatePath", "Tls:KeyPath")]
    [InlineData("Tls:ClientCertificateAuthorityPath", "PX_TLS_CLIENT_CA")]
    public async Task Start_IncompleteOrMissingTlsFiles_FailsValidation(string setting, string named)
    {
        var error = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(() => StartAsync(new()
        {
            ["Exchange:Listen"] = "https://127.0.0.1:0", [setting] = fixture.Authority.CertificatePath,
        }));

        Assert.Contains(named, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ping_ValidCertificateButNoApiKey_IsStillUnauthenticated()
    {
        await RpcAssert.FailsAsync(StatusCode.Unauthenticated, "API_KEY_MISSING",
            () => new DiagnosticsService.DiagnosticsServiceClient(Exchange.Channel).PingAsync(new PingRequest()));
    }

    private async Task StartAsync(Dictionary<string, string?> settings)
    {
        settings["Exchange:OperatorKey"] = Exchange.OperatorKey;
        settings["Ledger:DatabasePath"] = Path.Combine(Path.GetTempPath(), "px-tests", Guid.NewGuid().ToString("N"), "exchange.db");
        await using var app = Hosting.ExchangeHost.Build([], settings);
        await app.StartAsync();
    }
}
