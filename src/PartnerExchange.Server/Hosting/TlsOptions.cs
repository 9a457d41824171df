using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace PartnerExchange.Server.Hosting;

/// <summary>
/// TLS of the gRPC port (section <c>Tls</c>): used when <c>Exchange:Listen</c> (<c>PX_LISTEN</c>) is an
/// <c>https://</c> address. Certificates are PEM files, read again when they are renewed (see
/// <see cref="ReloadInterval"/>): the server's certificate and the client authorities alike.
/// </summary>
public sealed class TlsOptions : IValidatableObject
{
    /// <summary>The server's certificate chain, PEM (env <c>PX_TLS_CERT</c>). Required for an https:// address.</summary>
    public string? CertificatePath { get; set; }

    /// <summary>The server certificate's private key, PEM (env <c>PX_TLS_KEY</c>). Required with the certificate.</summary>
    public string? KeyPath { get; set; }

    /// <summary>
    /// Certificate authorities of the clients, PEM (env <c>PX_TLS_CLIENT_CA</c>). When set, every connection must
    /// present a client certificate issued by one of them (mutual TLS), checked before any call is read; the API key
    /// is still required on every call. A renewed file (an authority added or retired) applies to new connections
    /// without a restart. Unset (the default): no client certificate is asked for.
    /// </summary>
    public string? ClientCertificateAuthorityPath { get; set; }

    /// <summary>
    /// How often, at most, the certificate files are looked at for a renewal: a changed server pair is served, and
    /// changed client authorities are trusted, for new connections from then on, without a restart. Zero looks at
    /// every handshake. Default 10 s.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00", ErrorMessage = "Tls:ReloadInterval must be between 0 and 1 hour.")]
    public TimeSpan ReloadInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Whether a server certificate is configured.</summary>
    public bool IsConfigured => !string.IsNullOrEmpty(CertificatePath);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (string.IsNullOrEmpty(CertificatePath) != string.IsNullOrEmpty(KeyPath))
        {
            yield return new ValidationResult(
                "Set both Tls:CertificatePath (PX_TLS_CERT) and Tls:KeyPath (PX_TLS_KEY), or neither.", [nameof(CertificatePath), nameof(KeyPath)]);
        }
        if (!IsConfigured && !string.IsNullOrEmpty(ClientCertificateAuthorityPath))
        {
            yield return new ValidationResult(
                "Tls:ClientCertificateAuthorityPath (PX_TLS_CLIENT_CA) needs a server certificate: set Tls:CertificatePath and Tls:KeyPath.",
                [nameof(ClientCertificateAuthorityPath)]);
        }
        foreach (var (name, path) in new[]
                 {
                     (nameof(CertificatePath), CertificatePath), (nameof(KeyPath), KeyPath),
                     (nameof(ClientCertificateAuthorityPath), ClientCertificateAuthorityPath),
                 })
        {
            if (!string.IsNullOrEmpty(path) && !File.Exists(path))
            {
                yield return new ValidationResult($"Tls:{name}: no file at '{path}'.", [name]);
            }
        }
    }

    /// <summary>
    /// Kestrel's HTTPS settings from these files: the server certificate and, with client authorities, a required
    /// client certificate that must chain to one of them (and only to them, not to the machine's trusted roots).
    /// </summary>
    internal HttpsConnectionAdapterOptions ToHttpsOptions()
    {
        // Kestrel is configured before options are validated at start: check here too, with the same messages.
        var failures = Validate(new ValidationContext(this)).Select(failure => failure.ErrorMessage!).ToList();
        if (failures.Count > 0)
        {
            throw new Microsoft.Extensions.Options.OptionsValidationException("Tls", typeof(TlsOptions), failures);
        }
        if (!IsConfigured)
        {
            throw new InvalidOperationException(
                "Exchange:Listen is an https:// address but no certificate is configured: set Tls:CertificatePath (PX_TLS_CERT) " +
                "and Tls:KeyPath (PX_TLS_KEY) to PEM files.");
        }
        var (certificatePath, keyPath) = (CertificatePath!, KeyPath!);
        var certificate = new ReloadingFiles<X509Certificate2>([certificatePath, keyPath], () => LoadServerCertificate(certificatePath, keyPath),
            ReloadInterval, error => new InvalidOperationException(
                $"The TLS certificate '{certificatePath}' and key '{keyPath}' could not be read as a PEM certificate and its private key.", error));
        var https = new HttpsConnectionAdapterOptions { ServerCertificateSelector = (_, _) => certificate.Current };
        if (ClientCertificateAuthorityPath is { Length: > 0 } authoritiesPath)
        {
            var authorities = new ReloadingFiles<X509Certificate2Collection>([authoritiesPath], () => LoadAuthorities(authoritiesPath),
                ReloadInterval, error => new InvalidOperationException(
                    $"The client certificate authorities '{authoritiesPath}' could not be read as PEM certificates.", error));
            https.ClientCertificateMode = ClientCertificateMode.RequireCertificate;
            https.ClientCertificateValidation = (certificate, _, _) => IsIssuedByOneOf(certificate, authorities.Current);
        }
        return https;
    }

    private static X509Certificate2 LoadServerCertificate(string certificatePath, string keyPath)
    {
        using var fromPem = X509Certificate2.CreateFromPemFile(certificatePath, keyPath);
        // Through PKCS#12, so the key is one the TLS stack can use on every platform. A key of another certificate
        // throws ArgumentException.
        return X509CertificateLoader.LoadPkcs12(fromPem.Export(X509ContentType.Pkcs12), null);
    }

    private static X509Certificate2Collection LoadAuthorities(string path)
    {
        var authorities = new X509Certificate2Collection();
        authorities.ImportFromPemFile(path);
        // An empty file is one being written: trusting nobody would refuse every client.
        return authorities.Count > 0 ? authorities : throw new CryptographicException($"'{path}' holds no PEM certificate.");
    }

    private static bool IsIssuedByOneOf(X509Certificate2 certificate, X509Certificate2Collection authorities)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(authorities);
        // The authorities are the operator's own: they publish no revocation lists to fetch.
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(new Oid("1.3.6.1.5.5.7.3.2"));
        return chain.Build(certificate);
    }
}
