using System.Diagnostics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace PartnerExchange.Server.Hosting;

/// <summary>
/// The server certificate from its PEM files, read again when either file has changed, so a renewed certificate is
/// served to new connections without a restart. Changes are looked for at a handshake, at most once per
/// <c>recheckInterval</c>. A pair that does not load (a rotation caught halfway: the new certificate with the old
/// key) leaves the certificate in use until the next look finds the pair whole.
/// </summary>
internal sealed class ServerCertificateFiles
{
    private readonly string _certificatePath;
    private readonly string _keyPath;
    private readonly TimeSpan _recheckInterval;
    private readonly Lock _gate = new();
    private X509Certificate2 _current;
    private (DateTime Certificate, DateTime Key) _loadedVersions;
    private long _lastLook;

    /// <summary>Reads the pair now; a pair that does not load stops the start with a message naming the files.</summary>
    public ServerCertificateFiles(string certificatePath, string keyPath, TimeSpan recheckInterval)
    {
        _certificatePath = certificatePath;
        _keyPath = keyPath;
        _recheckInterval = recheckInterval;
        _loadedVersions = Versions();
        _current = TryLoad(out var error) ?? throw new InvalidOperationException(
            $"The TLS certificate '{certificatePath}' and key '{keyPath}' could not be read as a PEM certificate and its private key.", error);
        _lastLook = Stopwatch.GetTimestamp();
    }

    /// <summary>The certificate to present: the one in use, or the files' new pair once they have changed and load.</summary>
    public X509Certificate2 Current
    {
        get
        {
            lock (_gate)
            {
                if (Stopwatch.GetElapsedTime(_lastLook) >= _recheckInterval)
                {
                    _lastLook = Stopwatch.GetTimestamp();
                    var versions = Versions();
                    if (versions != _loadedVersions && TryLoad(out _) is { } renewed)
                    {
                        // The old certificate may still be in a handshake under way: it is left to the collector.
                        _current = renewed;
                        _loadedVersions = versions;
                    }
                }
                return _current;
            }
        }
    }

    private (DateTime Certificate, DateTime Key) Versions() =>
        (File.GetLastWriteTimeUtc(_certificatePath), File.GetLastWriteTimeUtc(_keyPath));

    private X509Certificate2? TryLoad(out Exception? error)
    {
        try
        {
            using var fromPem = X509Certificate2.CreateFromPemFile(_certificatePath, _keyPath);
            // Through PKCS#12, so the key is one the TLS stack can use on every platform. A key of another certificate
            // throws ArgumentException.
            error = null;
            return X509CertificateLoader.LoadPkcs12(fromPem.Export(X509ContentType.Pkcs12), null);
        }
        catch (Exception ex) when (ex is CryptographicException or ArgumentException or IOException or UnauthorizedAccessException)
        {
            error = ex;
            return null;
        }
    }
}
