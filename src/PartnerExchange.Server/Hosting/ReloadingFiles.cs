using System.Diagnostics;
using System.Security.Cryptography;

namespace PartnerExchange.Server.Hosting;

/// <summary>
/// A value read from files (TLS certificates and keys), read again when any of them has changed, so renewed files
/// reach new connections without a restart. Changes are looked for when the value is asked for, at most once per
/// <c>recheckInterval</c>. Files that do not load (a rotation caught halfway: a new certificate with the old key, an
/// authorities file still being written) leave the value in use until a later look finds them whole.
/// </summary>
internal sealed class ReloadingFiles<T>
    where T : class
{
    private readonly string[] _paths;
    private readonly Func<T> _load;
    private readonly TimeSpan _recheckInterval;
    private readonly Lock _gate = new();
    private T _current;
    private DateTime[] _loadedVersions;
    private long _lastLook;

    /// <summary>
    /// Reads the files now with <paramref name="load"/>; files that do not load stop the start with the exception
    /// <paramref name="unreadable"/> makes of the error.
    /// </summary>
    public ReloadingFiles(string[] paths, Func<T> load, TimeSpan recheckInterval, Func<Exception, Exception> unreadable)
    {
        _paths = paths;
        _load = load;
        _recheckInterval = recheckInterval;
        _loadedVersions = Versions();
        _current = TryLoad(out var error) ?? throw unreadable(error!);
        _lastLook = Stopwatch.GetTimestamp();
    }

    /// <summary>The value in use, or the files' new one once they have changed and load.</summary>
    public T Current
    {
        get
        {
            lock (_gate)
            {
                if (Stopwatch.GetElapsedTime(_lastLook) >= _recheckInterval)
                {
                    _lastLook = Stopwatch.GetTimestamp();
                    var versions = Versions();
                    if (!versions.SequenceEqual(_loadedVersions) && TryLoad(out _) is { } renewed)
                    {
                        // The old value may still be in a handshake under way: it is left to the collector.
                        _current = renewed;
                        _loadedVersions = versions;
                    }
                }
                return _current;
            }
        }
    }

    private DateTime[] Versions() => Array.ConvertAll(_paths, File.GetLastWriteTimeUtc);

    private T? TryLoad(out Exception? error)
    {
        try
        {
            error = null;
            return _load();
        }
        catch (Exception ex) when (ex is CryptographicException or ArgumentException or IOException or UnauthorizedAccessException)
        {
            error = ex;
            return null;
        }
    }
}
