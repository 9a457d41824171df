using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace PartnerExchange.Testing;

/// <summary>An authority and the certificates it issues, as PEM files in a folder of their own.</summary>
public sealed class TestAuthority : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "px-tests", "tls-" + Guid.NewGuid().ToString("N"));
    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public TestAuthority(string name)
    {
        Directory.CreateDirectory(_folder);
        var request = new CertificateRequest($"CN={name}", _key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        Certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        CertificatePath = Write("ca.pem", Certificate.ExportCertificatePem());
    }

    public X509Certificate2 Certificate { get; }

    public string CertificatePath { get; }

    /// <summary>A server certificate for 127.0.0.1: its PEM certificate and key files.</summary>
    public (string CertificatePath, string KeyPath) IssueServer()
    {
        var (certificate, key) = Issue("CN=127.0.0.1", "1.3.6.1.5.5.7.3.1", san =>
        {
            san.AddIpAddress(IPAddress.Loopback);
            san.AddDnsName("localhost");
        });
        return (Write("server.pem", certificate.ExportCertificatePem()), Write("server.key", key.ExportPkcs8PrivateKeyPem()));
    }

    /// <summary>A client certificate with its private key, for a TLS handshake.</summary>
    public X509Certificate2 IssueClient(string name)
    {
        var (certificate, key) = Issue($"CN={name}", "1.3.6.1.5.5.7.3.2", _ => { });
        using var withKey = certificate.CopyWithPrivateKey(key);
        // A key made in memory must go through PKCS#12 to be usable by the TLS stack.
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }

    /// <summary>A client certificate as files, the way an operator holds one: its PEM certificate and key files.</summary>
    public (string CertificatePath, string KeyPath) IssueClientFiles(string name)
    {
        var (certificate, key) = Issue($"CN={name}", "1.3.6.1.5.5.7.3.2", _ => { });
        using (certificate)
        using (key)
        {
            return (Write($"client-{name}.pem", certificate.ExportCertificatePem()), Write($"client-{name}.key", key.ExportPkcs8PrivateKeyPem()));
        }
    }

    private (X509Certificate2 Certificate, ECDsa Key) Issue(string subject, string usageOid, Action<SubjectAlternativeNameBuilder> names)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(usageOid)], false));
        var san = new SubjectAlternativeNameBuilder();
        names(san);
        request.CertificateExtensions.Add(san.Build());
        var serial = RandomNumberGenerator.GetBytes(16);
        var certificate = request.Create(Certificate, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(7), serial);
        return (certificate, key);
    }

    /// <summary>A handler that trusts this authority alone for the server, and presents <paramref name="client"/> if given.</summary>
    public SocketsHttpHandler Handler(X509Certificate2? client = null)
    {
        var authority = Certificate;
        var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
        {
            if (certificate is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None)
            {
                return false;
            }
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(authority);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            return chain.Build(new X509Certificate2(certificate));
        };
        if (client is not null)
        {
            handler.SslOptions.ClientCertificates = [client];
        }
        return handler;
    }

    private string Write(string name, string pem)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllText(path, pem);
        return path;
    }

    public void Dispose()
    {
        _key.Dispose();
        Certificate.Dispose();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }
    }
}
