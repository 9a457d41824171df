using PartnerExchange.Cli.Tests.Infrastructure;
using PartnerExchange.Testing;

namespace PartnerExchange.Cli.Tests;

/// <summary>
/// pxctl against an exchange on https:// whose certificate comes from a private authority and which requires client
/// certificates from it (mutual TLS): the --ca-cert, --client-cert and --client-key options and their variables.
/// </summary>
public sealed class TlsCommandTests(MutualTlsCliExchange fixture) : IntegrationTest(fixture.Exchange.Server), IClassFixture<MutualTlsCliExchange>
{
    private string[] TrustedAuthority => ["--ca-cert", fixture.Authority.CertificatePath];

    private string[] ClientCertificate => ["--client-cert", fixture.ClientCertificatePath, "--client-key", fixture.ClientKeyPath];

    [Fact]
    public async Task PartnersList_TrustedAuthorityAndClientCertificate_ListsThePartners()
    {
        var (code, _) = await fixture.Exchange.CreatePartnerAsync();

        var run = await PxctlAsync(["partners", "list", .. TrustedAuthority, .. ClientCertificate]);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains(code, run.Stdout, StringComparison.Ordinal);
        Assert.Equal("", run.Stderr);
    }

    [Fact]
    public async Task PartnersList_TlsFilesFromTheEnvironment_ListsThePartners()
    {
        var (code, _) = await fixture.Exchange.CreatePartnerAsync();

        var run = await CliExchange.PxctlWithEnvironmentAsync(
            new Dictionary<string, string>
            {
                ["PX_ADDRESS"] = fixture.Exchange.Address,
                ["PX_OPERATOR_KEY"] = fixture.Exchange.OperatorKey,
                ["PX_CA_CERT"] = fixture.Authority.CertificatePath,
                ["PX_CLIENT_CERT"] = fixture.ClientCertificatePath,
                ["PX_CLIENT_KEY"] = fixture.ClientKeyPath,
            },
            "partners", "list");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains(code, run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EventsTail_TrustedAuthorityAndClientCertificate_StreamsOverItsOwnChannel()
    {
        var partner = await fixture.Exchange.Server.CreatePartnerAsync();
        var accrual = await partner.AccrueAsync(await partner.EnrollAsync(), 100);

        var run = await PxctlAsync(["events", "tail", "--partner", partner.ProgramCode, "--limit", "1", .. TrustedAuthority, .. ClientCertificate]);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains(accrual.Transaction.TransactionId, run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PartnersList_WithoutClientCertificate_SaysTheExchangeRequiresOne()
    {
        var run = await PxctlAsync(["partners", "list", .. TrustedAuthority]);

        Assert.Equal(2, run.ExitCode);
        Assert.Equal(
            $"error: the exchange at {fixture.Exchange.Address} closed the connection right after the TLS handshake: it most likely "
            + "requires a client certificate (mutual TLS); pass --client-cert and --client-key (PX_CLIENT_CERT, PX_CLIENT_KEY)",
            run.Stderr.Trim());
        Assert.Equal("", run.Stdout);
    }

    [Fact]
    public async Task PartnersList_ClientCertificateOfAnotherAuthority_SaysItWasLikelyRefused()
    {
        using var stranger = new TestAuthority("Some other CA");
        var (certificate, key) = stranger.IssueClientFiles("intruder");

        var run = await PxctlAsync(["partners", "list", .. TrustedAuthority, "--client-cert", certificate, "--client-key", key]);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("it most likely refused the client certificate", run.Stderr, StringComparison.Ordinal);
        Assert.Single(run.Stderr.Trim().Split('\n'));
    }

    [Fact]
    public async Task PartnersList_WithoutCaCert_SaysTheServerCertificateIsNotTrusted()
    {
        var run = await PxctlAsync(["partners", "list", .. ClientCertificate]);

        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith(
            $"error: the exchange at {fixture.Exchange.Address} presented a certificate pxctl does not trust: it does not chain to a "
            + "root this machine trusts (", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("pass that authority's certificate with --ca-cert FILE (PX_CA_CERT)", run.Stderr, StringComparison.Ordinal);
        Assert.Single(run.Stderr.Trim().Split('\n'));
    }

    [Fact]
    public async Task PartnersList_CaCertOfAnotherAuthority_SaysTheServerCertificateDoesNotChainToIt()
    {
        using var stranger = new TestAuthority("Some other CA");

        var run = await PxctlAsync(["partners", "list", "--ca-cert", stranger.CertificatePath, .. ClientCertificate]);

        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith(
            $"error: the exchange at {fixture.Exchange.Address} presented a certificate pxctl does not trust: it does not chain to a "
            + "--ca-cert authority (", run.Stderr, StringComparison.Ordinal);
        Assert.Single(run.Stderr.Trim().Split('\n'));
    }

    [Fact]
    public async Task AnyCommand_ClientCertWithoutClientKey_IsAUsageError()
    {
        var run = await PxctlAsync(["partners", "list", .. TrustedAuthority, "--client-cert", fixture.ClientCertificatePath]);

        Assert.Equal(2, run.ExitCode);
        Assert.Equal(
            "error: --client-cert and --client-key (PX_CLIENT_CERT, PX_CLIENT_KEY) go together: give the client certificate and its key, or neither.",
            run.Stderr.Trim());
    }

    [Fact]
    public async Task AnyCommand_MissingCaCertFile_SaysItCannotReadIt()
    {
        var missing = Path.Combine(fixture.Exchange.Folder, "no-such-ca.pem");

        var run = await PxctlAsync(["partners", "list", "--ca-cert", missing, .. ClientCertificate]);

        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith($"error: cannot read --ca-cert '{missing}': ", run.Stderr, StringComparison.Ordinal);
        Assert.Single(run.Stderr.Trim().Split('\n'));
    }

    [Fact]
    public async Task AnyCommand_ClientKeyNotMatchingTheCertificate_SaysItCannotReadThem()
    {
        var (_, otherKey) = fixture.Authority.IssueClientFiles("other");

        var run = await PxctlAsync(
            ["partners", "list", .. TrustedAuthority, "--client-cert", fixture.ClientCertificatePath, "--client-key", otherKey]);

        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith($"error: cannot read --client-cert '{fixture.ClientCertificatePath}' and --client-key '{otherKey}'", run.Stderr,
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnyCommand_TlsFilesWithAnHttpAddress_IsAUsageError()
    {
        var run = await PxctlAsync(["partners", "list", "--address", "http://127.0.0.1:5080", .. TrustedAuthority]);

        Assert.Equal(2, run.ExitCode);
        Assert.Equal(
            "error: --ca-cert, --client-cert and --client-key apply to TLS only, but --address 'http://127.0.0.1:5080' is http://; use https://.",
            run.Stderr.Trim());
    }

    private Task<CliRun> PxctlAsync(string[] args) => fixture.Exchange.PxctlAsync(args);
}
