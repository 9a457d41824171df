using PartnerExchange.Bench.Options;

namespace PartnerExchange.Bench.Target;

/// <summary>
/// The exchange under test: where to call it and with which operator key, and, when the benchmark started it,
/// its process (for RSS and CPU), its metrics endpoint (for the ledger threads' CPU) and the Redis beside it.
/// Disposing it stops what the benchmark started and removes their temporary folder.
/// </summary>
internal sealed class ExchangeTarget : IAsyncDisposable
{
    private readonly ChildProcess? _server;
    private readonly ChildProcess? _redis;
    private readonly string? _folder;
    private readonly bool _keepFolder;

    private readonly Uri? _metricsAddress;

    private ExchangeTarget(Uri address, string operatorKey, Uri? metricsAddress, ChildProcess? server, ChildProcess? redis, string? folder, bool keepFolder)
    {
        Address = address;
        OperatorKey = operatorKey;
        _metricsAddress = metricsAddress;
        _server = server;
        _redis = redis;
        _folder = folder;
        _keepFolder = keepFolder;
    }

    public Uri Address { get; }
    public string OperatorKey { get; }

    /// <summary>The server's process id when the benchmark started it; its RSS is sampled during measurements.</summary>
    public int? ServerProcessId => _server?.Id;

    /// <summary>The server and Redis processes when the benchmark started them, for their CPU use.</summary>
    public TargetProcesses Processes => new(_server?.Id, _redis?.Id, _metricsAddress);

    public bool StartedByTool => _server is not null;

    /// <summary>Where the server and Redis wrote their logs and data, when the benchmark started them.</summary>
    public string? Folder => _folder;

    /// <summary>Starts Redis and the server on free loopback ports, or uses the server given by --address.</summary>
    public static async Task<ExchangeTarget> StartOrConnectAsync(BenchOptions options, CancellationToken cancellationToken)
    {
        if (options.Address is { } address)
        {
            return new ExchangeTarget(address, options.OperatorKey!, null, null, null, null, keepFolder: true);
        }
        var folder = Directory.CreateTempSubdirectory("px-bench-").FullName;
        ChildProcess? redis = null;
        try
        {
            (redis, var redisPort) = await RedisProcess.StartAsync(options.RedisServer, folder, cancellationToken).ConfigureAwait(false);
            var server = await ServerProcess.StartAsync(options, folder, redisPort, cancellationToken).ConfigureAwait(false);
            return new ExchangeTarget(server.Address, server.OperatorKey, server.MetricsAddress, server.Process, redis, folder, options.KeepData);
        }
        catch
        {
            if (redis is not null)
            {
                await redis.DisposeAsync().ConfigureAwait(false);
            }
            RemoveFolder(folder, keep: options.KeepData);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync().ConfigureAwait(false);
        }
        if (_redis is not null)
        {
            await _redis.DisposeAsync().ConfigureAwait(false);
        }
        if (_folder is not null)
        {
            RemoveFolder(_folder, _keepFolder);
        }
    }

    private static void RemoveFolder(string folder, bool keep)
    {
        if (keep)
        {
            Console.WriteLine($"Kept the server's data and logs in {folder}");
            return;
        }
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException ex)
        {
            Console.Error.WriteLine($"warning: could not remove {folder}: {ex.Message}");
        }
    }
}
