using Grpc.Core;
using Grpc.Net.Client;
using PartnerExchange.Testing;
using PartnerExchange.V1;

namespace PartnerExchange.Server.Tests.Security;

/// <summary>A server on https:// with a certificate of its own test authority; subclasses add their settings.</summary>
public abstract class TlsExchange(string authorityName) : IAsyncLifetime
{
    public TestAuthority Authority { get; } = new(authorityName);

    public RunningExchange Exchange { get; } = new();

    /// <summary>The server certificate's PEM files.</summary>
    public (string CertificatePath, string KeyPath) Files { get; private set; }

    public Task InitializeAsync()
    {
        Files = Authority.IssueServer();
        Exchange.Settings["Exchange:Listen"] = "https://127.0.0.1:0";
        Exchange.Settings["Tls:CertificatePath"] = Files.CertificatePath;
        Exchange.Settings["Tls:KeyPath"] = Files.KeyPath;
        Configure();
        return Exchange.InitializeAsync();
    }

    /// <summary>The fixture's own settings and client handler.</summary>
    protected abstract void Configure();

    public async Task DisposeAsync()
    {
        await Exchange.DisposeAsync();
        Authority.Dispose();
    }
}

/// <summary>A server on https:// that requires client certificates from one authority (mutual TLS).</summary>
public sealed class MutualTlsExchange() : TlsExchange("PartnerExchange test CA")
{
    protected override void Configure()
    {
        Exchange.Settings["Tls:ClientCertificateAuthorityPath"] = Authority.CertificatePath;
        Exchange.HttpHandler = Authority.Handler(Authority.IssueClient("ops"));
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

        AssertRefusedByTransport(error);
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

        AssertRefusedByTransport(error);
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

    /// <summary>
    /// The connection was refused before any call was read. Under TLS 1.3 the server judges the client certificate
    /// after the client's side of the handshake is done, so the refusal reaches the client either while connecting
    /// (UNAVAILABLE) or as the connection closing under the first request (INTERNAL), depending on timing.
    /// </summary>
    private static void AssertRefusedByTransport(RpcException error) =>
        Assert.Contains(error.StatusCode, new[] { StatusCode.Unavailable, StatusCode.Internal });

    private async Task StartAsync(Dictionary<string, string?> settings)
    {
        settings["Exchange:OperatorKey"] = Exchange.OperatorKey;
        settings["Ledger:DatabasePath"] = Path.Combine(Path.GetTempPath(), "px-tests", Guid.NewGuid().ToString("N"), "exchange.db");
        await using var app = PartnerExchange.Server.Hosting.ExchangeHost.Build([], settings);
        await app.StartAsync();
    }
}

/// <summary>A server on https:// without client certificates, looking for a renewed certificate at every handshake.</summary>
public sealed class RenewingTlsExchange() : TlsExchange("PartnerExchange renewal CA")
{
    protected override void Configure()
    {
        Exchange.Settings["Tls:ReloadInterval"] = "00:00:00";
        Exchange.HttpHandler = Authority.Handler();
    }
}

/// <summary>Certificate renewal without a restart: new connections get the new certificate once its files are whole.</summary>
public sealed class CertificateRenewalTests(RenewingTlsExchange fixture) : IntegrationTest(fixture.Exchange), IClassFixture<RenewingTlsExchange>
{
    [Fact]
    public async Task Ping_AfterTheCertificateFilesWereRenewed_NewConnectionsGetTheNewCertificate()
    {
        var before = await PresentedCertificateAsync();

        var renewed = fixture.Authority.IssueServer();
        MarkChanged(renewed.CertificatePath, renewed.KeyPath);
        var after = await PresentedCertificateAsync();

        Assert.NotEqual(before, after);
        Assert.Equal(SerialIn(renewed.CertificatePath), after);
    }

    [Fact]
    public async Task Ping_CertificateRenewedButNotItsKeyYet_KeepsServingTheCertificateInUse()
    {
        var before = await PresentedCertificateAsync();
        var oldKey = await File.ReadAllTextAsync(fixture.Files.KeyPath);

        // A rotation caught halfway: the new certificate is in place, its key is not.
        fixture.Authority.IssueServer();
        await File.WriteAllTextAsync(fixture.Files.KeyPath, oldKey);
        MarkChanged(fixture.Files.CertificatePath, fixture.Files.KeyPath);
        var during = await PresentedCertificateAsync();

        Assert.Equal(before, during);
    }

    /// <summary>The serial number of the certificate the exchange presents to a new connection (a Ping must succeed on it).</summary>
    private async Task<string> PresentedCertificateAsync()
    {
        string? serial = null;
        using var handler = fixture.Authority.Handler();
        var trusts = handler.SslOptions.RemoteCertificateValidationCallback!;
        handler.SslOptions.RemoteCertificateValidationCallback = (sender, certificate, chain, errors) =>
        {
            serial = certificate?.GetSerialNumberString();
            return trusts(sender, certificate, chain, errors);
        };
        using var channel = GrpcChannel.ForAddress(Exchange.Address, new GrpcChannelOptions { HttpHandler = handler });
        var shop = await Exchange.CreatePartnerAsync();

        await new DiagnosticsService.DiagnosticsServiceClient(channel).PingAsync(new PingRequest(), RunningExchange.Bearer(shop.Key));

        return serial ?? throw new InvalidOperationException("No certificate was presented.");
    }

    // File times can tie within a coarse clock tick: set them clearly later, as a real renewal hours on would.
    internal static void MarkChanged(params string[] paths)
    {
        foreach (var path in paths)
        {
            File.SetLastWriteTimeUtc(path, File.GetLastWriteTimeUtc(path).AddMinutes(1));
        }
    }

    private static string SerialIn(string certificatePath)
    {
        using var certificate = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(File.ReadAllText(certificatePath));
        return certificate.GetSerialNumberString();
    }
}

/// <summary>
/// A server requiring client certificates from the authorities in a file of its own, looking for a renewed file at
/// every handshake.
/// </summary>
public sealed class RenewingAuthoritiesExchange() : TlsExchange("PartnerExchange operators CA")
{
    /// <summary>The client authorities file the server trusts; starts with the fixture's authority alone.</summary>
    public string AuthoritiesPath { get; } = Path.Combine(Path.GetTempPath(), "px-tests", "authorities-" + Guid.NewGuid().ToString("N") + ".pem");

    protected override void Configure()
    {
        File.Copy(Authority.CertificatePath, AuthoritiesPath);
        Exchange.Settings["Tls:ClientCertificateAuthorityPath"] = AuthoritiesPath;
        Exchange.Settings["Tls:ReloadInterval"] = "00:00:00";
        Exchange.HttpHandler = Authority.Handler(Authority.IssueClient("ops"));
    }
}

/// <summary>
/// Client authorities added and retired without a restart. Each test has its own server, since retiring an
/// authority refuses the fixture's own client.
/// </summary>
public sealed class ClientAuthorityRenewalTests : IAsyncLifetime, IDisposable
{
    // How a refused client certificate reaches a .NET client under TLS 1.3 depends on timing (see TlsTests).
    private static readonly StatusCode[] TransportRefusals = [StatusCode.Unavailable, StatusCode.Internal];

    private readonly RenewingAuthoritiesExchange _fixture = new();
    private readonly TestAuthority _partnerAuthority = new("Partner CA");

    private RunningExchange Exchange => _fixture.Exchange;

    public Task InitializeAsync() => _fixture.InitializeAsync();

    public async Task DisposeAsync()
    {
        await _fixture.DisposeAsync();
        _partnerAuthority.Dispose();
    }

    public void Dispose() => _partnerAuthority.Dispose();

    [Fact]
    public async Task Ping_AuthorityAddedToTheFile_ItsClientsAreAcceptedWithoutRestart()
    {
        var shop = await Exchange.CreatePartnerAsync();
        var partnerClient = _partnerAuthority.IssueClient("partner");
        Assert.Contains((await PingAsync(shop, partnerClient)).StatusCode, TransportRefusals);

        RewriteAuthorities(_fixture.Authority, _partnerAuthority);

        Assert.Equal(StatusCode.OK, (await PingAsync(shop, partnerClient)).StatusCode);
    }

    [Fact]
    public async Task Ping_AuthorityRetiredFromTheFile_ItsClientsAreRefusedWithoutRestart()
    {
        var shop = await Exchange.CreatePartnerAsync();
        var opsClient = _fixture.Authority.IssueClient("ops-2");
        Assert.Equal(StatusCode.OK, (await PingAsync(shop, opsClient)).StatusCode);

        RewriteAuthorities(_partnerAuthority);

        Assert.Contains((await PingAsync(shop, opsClient)).StatusCode, TransportRefusals);
        Assert.Equal(StatusCode.OK, (await PingAsync(shop, _partnerAuthority.IssueClient("partner"))).StatusCode);
    }

    [Fact]
    public async Task Ping_AuthoritiesFileCaughtEmptyMidRotation_KeepsTrustingTheAuthoritiesInUse()
    {
        var shop = await Exchange.CreatePartnerAsync();

        await File.WriteAllTextAsync(_fixture.AuthoritiesPath, "");
        CertificateRenewalTests.MarkChanged(_fixture.AuthoritiesPath);

        Assert.Equal(StatusCode.OK, (await PingAsync(shop, _fixture.Authority.IssueClient("ops-3"))).StatusCode);
    }

    /// <summary>A Ping over a new connection presenting <paramref name="client"/>: OK, or the status it failed with.</summary>
    private async Task<Status> PingAsync(TestPartner shop, System.Security.Cryptography.X509Certificates.X509Certificate2 client)
    {
        using var handler = _fixture.Authority.Handler(client);
        using var channel = GrpcChannel.ForAddress(Exchange.Address, new GrpcChannelOptions { HttpHandler = handler });
        try
        {
            await new DiagnosticsService.DiagnosticsServiceClient(channel).PingAsync(new PingRequest(), RunningExchange.Bearer(shop.Key));
            return Status.DefaultSuccess;
        }
        catch (RpcException error)
        {
            return error.Status;
        }
    }

    private void RewriteAuthorities(params TestAuthority[] authorities)
    {
        File.WriteAllText(_fixture.AuthoritiesPath, string.Join('\n', authorities.Select(a => File.ReadAllText(a.CertificatePath))));
        CertificateRenewalTests.MarkChanged(_fixture.AuthoritiesPath);
    }
}
