using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using PartnerExchange.Cli.Input;

namespace PartnerExchange.Cli.Connection;

/// <summary>
/// How pxctl secures its channels to an https:// exchange: the authorities it trusts for the server's certificate
/// (--ca-cert, in place of the machine's trusted roots) and the client certificate it presents (mutual TLS). Read
/// once per run, so every channel of the run uses the same files.
/// </summary>
internal sealed class TransportSecurity : IDisposable
{
    private readonly X509Certificate2? _clientCertificate;

    private TransportSecurity(X509Certificate2Collection? authorities, X509Certificate2? clientCertificate)
    {
        ServerCertificate = new ServerCertificateCheck(authorities);
        _clientCertificate = clientCertificate;
    }

    /// <summary>The check of the exchange's certificate, and why it refused one.</summary>
    public ServerCertificateCheck ServerCertificate { get; }

    /// <summary>Whether a client certificate is presented (mutual TLS).</summary>
    public bool PresentsClientCertificate => _clientCertificate is not null;

    /// <summary>Whether the exchange answered any call of this run (with response headers, whatever their status).</summary>
    public bool ExchangeHasAnswered { get; private set; }

    /// <summary>Reads the files; nothing is read when none is given.</summary>
    /// <exception cref="UsageException">Only one of certificate and key is given, or a file cannot be read.</exception>
    public static TransportSecurity Load(TlsFiles files)
    {
        if (string.IsNullOrEmpty(files.ClientCertificatePath) != string.IsNullOrEmpty(files.ClientKeyPath))
        {
            throw new UsageException(
                "--client-cert and --client-key (PX_CLIENT_CERT, PX_CLIENT_KEY) go together: give the client certificate and its key, or neither.");
        }
        var authorities = string.IsNullOrEmpty(files.AuthorityPath) ? null : LoadAuthorities(files.AuthorityPath);
        var clientCertificate = string.IsNullOrEmpty(files.ClientCertificatePath)
            ? null
            : LoadClientCertificate(files.ClientCertificatePath, files.ClientKeyPath!);
        return new TransportSecurity(authorities, clientCertificate);
    }

    /// <summary>
    /// The handler of a channel over TLS: the server's certificate checked, the client certificate presented, and
    /// the exchange's first answer noted.
    /// </summary>
    public HttpMessageHandler CreateHandler() => new AnswerWatch(this) { InnerHandler = CreateSocketsHandler() };

    public void Dispose()
    {
        _clientCertificate?.Dispose();
        ServerCertificate.Dispose();
    }

    private SocketsHttpHandler CreateSocketsHandler()
    {
        // Multiple HTTP/2 connections, as the channel's own default handler allows, so an event stream never
        // starves other calls.
        var handler = new SocketsHttpHandler { EnableMultipleHttp2Connections = true };
        handler.SslOptions.RemoteCertificateValidationCallback = ServerCertificate.Accepts;
        if (_clientCertificate is not null)
        {
            handler.SslOptions.ClientCertificates = [_clientCertificate];
        }
        return handler;
    }

    private static X509Certificate2Collection LoadAuthorities(string path)
    {
        var authorities = new X509Certificate2Collection();
        try
        {
            authorities.ImportFromPemFile(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
        {
            throw new UsageException($"cannot read --ca-cert '{path}': {ex.Message}", ex);
        }
        if (authorities.Count == 0)
        {
            throw new UsageException($"--ca-cert '{path}' holds no PEM certificate (-----BEGIN CERTIFICATE-----).");
        }
        return authorities;
    }

    private static X509Certificate2 LoadClientCertificate(string certificatePath, string keyPath)
    {
        try
        {
            using var fromPem = X509Certificate2.CreateFromPemFile(certificatePath, keyPath);
            // A key read from PEM lives only in memory. Linux's TLS stack can sign with it as it is, Windows' cannot;
            // a round trip through PKCS#12 gives it a form every platform's stack can use.
            return X509CertificateLoader.LoadPkcs12(fromPem.Export(X509ContentType.Pkcs12), null);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
        {
            throw new UsageException(
                $"cannot read --client-cert '{certificatePath}' and --client-key '{keyPath}' as a PEM certificate and its private key: {ex.Message}",
                ex);
        }
    }

    /// <summary>
    /// Notes that the exchange answered. A server that refuses the client certificate under TLS 1.3 closes the
    /// connection once the handshake is done, so "handshake done, never answered" is how such a refusal shows.
    /// </summary>
    private sealed class AnswerWatch(TransportSecurity security) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            security.ExchangeHasAnswered = true;
            return response;
        }
    }
}
