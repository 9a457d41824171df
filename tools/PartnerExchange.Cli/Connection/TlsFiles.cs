namespace PartnerExchange.Cli.Connection;

/// <summary>The PEM files of pxctl's TLS settings, as given by options or environment; each may be absent.</summary>
/// <param name="AuthorityPath">Authorities to trust for the server's certificate (--ca-cert, PX_CA_CERT).</param>
/// <param name="ClientCertificatePath">The client certificate to present (--client-cert, PX_CLIENT_CERT).</param>
/// <param name="ClientKeyPath">The client certificate's private key (--client-key, PX_CLIENT_KEY).</param>
internal sealed record TlsFiles(string? AuthorityPath, string? ClientCertificatePath, string? ClientKeyPath)
{
    /// <summary>Whether any of the files is given.</summary>
    public bool AnyGiven =>
        !string.IsNullOrEmpty(AuthorityPath) || !string.IsNullOrEmpty(ClientCertificatePath) || !string.IsNullOrEmpty(ClientKeyPath);
}
