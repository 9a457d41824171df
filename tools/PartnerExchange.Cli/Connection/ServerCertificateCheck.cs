using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace PartnerExchange.Cli.Connection;

/// <summary>
/// Judges the exchange's certificate during the TLS handshake: against the --ca-cert authorities alone when given,
/// by the platform's default validation otherwise. It remembers why it refused one, because the handshake's own
/// error ("rejected by the provided callback") does not say.
/// </summary>
internal sealed class ServerCertificateCheck(X509Certificate2Collection? authorities) : IDisposable
{
    // id-kp-serverAuth: default validation asks the server's certificate for it, so the --ca-cert check does too.
    private const string ServerAuthenticationOid = "1.3.6.1.5.5.7.3.1";

    /// <summary>Why the last certificate was refused and what to do, in words; <see langword="null"/> when none was.</summary>
    public string? Refusal { get; private set; }

    /// <summary>Whether a certificate was accepted: pxctl's side of a TLS handshake then completed.</summary>
    public bool HasAccepted { get; private set; }

    /// <summary>The handshake's verdict on the exchange's certificate (a RemoteCertificateValidationCallback).</summary>
    public bool Accepts(object sender, X509Certificate? certificate, X509Chain? presented, SslPolicyErrors errors)
    {
        Refusal = authorities is null ? RefusalByDefault(errors, presented) : RefusalByOwnAuthorities(authorities, certificate, presented, errors);
        HasAccepted |= Refusal is null;
        return Refusal is null;
    }

    public void Dispose()
    {
        foreach (var authority in authorities ?? [])
        {
            authority.Dispose();
        }
    }

    private static string? RefusalByDefault(SslPolicyErrors errors, X509Chain? presented) =>
        errors == SslPolicyErrors.None ? null : Describe(errors, presented);

    /// <summary>
    /// Accepts a certificate that names the host and chains to one of the authorities, and only to them: the machine's
    /// trusted roots play no part.
    /// </summary>
    private static string? RefusalByOwnAuthorities(
        X509Certificate2Collection authorities, X509Certificate? certificate, X509Chain? presented, SslPolicyErrors errors)
    {
        // Presence and name are judged as usual; only the chain is judged against the authorities instead.
        var notAboutTheChain = errors & ~SslPolicyErrors.RemoteCertificateChainErrors;
        if (certificate is null || notAboutTheChain != SslPolicyErrors.None)
        {
            return Describe(notAboutTheChain, presented);
        }
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(authorities);
        // A private authority publishes no revocation lists to fetch.
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(new Oid(ServerAuthenticationOid));
        if (presented is not null)
        {
            // The intermediates the exchange sent along with its certificate.
            chain.ChainPolicy.ExtraStore.AddRange(presented.ChainPolicy.ExtraStore);
        }
        using var server = new X509Certificate2(certificate);
        return chain.Build(server)
            ? null
            : $"it does not chain to a --ca-cert authority ({ChainProblems(chain)}); check that --ca-cert holds the authority that issued it";
    }

    private static string Describe(SslPolicyErrors errors, X509Chain? chain)
    {
        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
        {
            return "no certificate was presented";
        }
        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
        {
            return "it is not issued for the host of --address (RemoteCertificateNameMismatch); use a name or IP address it is issued for";
        }
        return $"it does not chain to a root this machine trusts ({(chain is null ? errors.ToString() : ChainProblems(chain))}); "
            + "if a private authority issued it, pass that authority's certificate with --ca-cert FILE (PX_CA_CERT)";
    }

    private static string ChainProblems(X509Chain chain)
    {
        var problems = chain.ChainStatus.Select(status => status.Status.ToString()).Distinct().ToList();
        return problems.Count == 0 ? nameof(SslPolicyErrors.RemoteCertificateChainErrors) : string.Join(", ", problems);
    }
}
