using PartnerExchange.Testing;

namespace PartnerExchange.Cli.Tests.Infrastructure;

/// <summary>
/// The real exchange on https:// with a certificate from a private authority, requiring client certificates from it
/// (mutual TLS), as <c>PX_LISTEN=https://…</c> with <c>PX_TLS_CERT</c>, <c>PX_TLS_KEY</c> and <c>PX_TLS_CLIENT_CA</c>
/// set it up; plus the PEM files an operator would hand to pxctl.
/// </summary>
public sealed class MutualTlsCliExchange : IAsyncLifetime
{
    public TestAuthority Authority { get; } = new("pxctl test CA");

    public CliExchange Exchange { get; } = new();

    /// <summary>The operator's client certificate, a PEM file issued by <see cref="Authority"/>.</summary>
    public string ClientCertificatePath { get; private set; } = "";

    /// <summary>The private key of <see cref="ClientCertificatePath"/>, a PEM file.</summary>
    public string ClientKeyPath { get; private set; } = "";

    public Task InitializeAsync()
    {
        var (certificate, key) = Authority.IssueServer();
        Exchange.Server.Settings["Exchange:Listen"] = "https://127.0.0.1:0";
        Exchange.Server.Settings["Tls:CertificatePath"] = certificate;
        Exchange.Server.Settings["Tls:KeyPath"] = key;
        Exchange.Server.Settings["Tls:ClientCertificateAuthorityPath"] = Authority.CertificatePath;
        // The fixture's own channel, which tests use to set up partners without pxctl.
        Exchange.Server.HttpHandler = Authority.Handler(Authority.IssueClient("fixture"));
        (ClientCertificatePath, ClientKeyPath) = Authority.IssueClientFiles("ops");
        return Exchange.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await Exchange.DisposeAsync();
        Authority.Dispose();
    }
}
