using System.Diagnostics;
using System.Security.Cryptography;
using Grpc.Core;
using PartnerExchange.Bench.Network;
using PartnerExchange.Bench.Options;
using PartnerExchange.V1;

namespace PartnerExchange.Bench.Target;

/// <summary>Starts the Release server as its own process with production settings on a fresh ledger.</summary>
internal static class ServerProcess
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    /// <summary>
    /// Command-line settings of the started server. Everything else is production as shipped (synchronous=FULL,
    /// idempotency, rate limits, Information logs); the per-member velocity limit is raised because the benchmark
    /// sends many calls per member on purpose, and the per-partner limits are raised through the admin API.
    /// </summary>
    public static readonly IReadOnlyList<string> Settings =
    [
        "--RateLimits:MemberVelocity:RequestsPerSecond=1000000",
        "--RateLimits:MemberVelocity:Burst=10000000",
    ];

    /// <summary>The started server: its process, where to call it, its operator key and its Prometheus endpoint.</summary>
    public sealed record Started(ChildProcess Process, Uri Address, string OperatorKey, Uri MetricsAddress);

    public static async Task<Started> StartAsync(BenchOptions options, string folder, int redisPort, CancellationToken cancellationToken)
    {
        await EnsureBuiltAsync(options, cancellationToken).ConfigureAwait(false);
        var address = new Uri($"http://127.0.0.1:{LoopbackPorts.Free()}");
        // The metrics endpoint on, as in production: the ledger's threads' CPU time is read there.
        var metrics = new Uri($"http://127.0.0.1:{LoopbackPorts.Free()}");
        var operatorKey = RandomNumberGenerator.GetHexString(64, lowercase: true);
        var dataDirectory = Path.Combine(folder, "data");
        Directory.CreateDirectory(dataDirectory);
        var logPath = Path.Combine(folder, "server.log");
        var info = StartInfo(options.ServerDll, folder, logPath);
        info.Environment["PX_LISTEN"] = address.ToString().TrimEnd('/');
        info.Environment["PX_DATA_DIR"] = dataDirectory;
        info.Environment["PX_OPERATOR_KEY"] = operatorKey;
        info.Environment["PX_REDIS"] = $"127.0.0.1:{redisPort}";
        info.Environment["PX_METRICS_LISTEN"] = metrics.ToString().TrimEnd('/');
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        info.Environment["DOTNET_ENVIRONMENT"] = "Production";
        var process = ChildProcess.Start("server", info, logPath);
        try
        {
            await WaitUntilServingAsync(process, address, operatorKey, cancellationToken).ConfigureAwait(false);
            return new Started(process, address, operatorKey, new Uri(metrics, "/metrics"));
        }
        catch
        {
            await process.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    // Through a shell that execs the server, so the server writes its log straight to the file: the benchmark
    // must not spend its own CPU copying the server's log lines.
    private static ProcessStartInfo StartInfo(string serverDll, string folder, string logPath)
    {
        var command = string.Join(' ', new[] { "exec", "dotnet", Quote(serverDll) }.Concat(Settings.Select(Quote)))
            + $" >{Quote(logPath)} 2>&1";
        var info = new ProcessStartInfo("/bin/sh") { WorkingDirectory = folder, UseShellExecute = false };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(command);
        return info;
    }

    private static string Quote(string text) => "'" + text.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    private static async Task EnsureBuiltAsync(BenchOptions options, CancellationToken cancellationToken)
    {
        if (File.Exists(options.ServerDll) && !options.BuildServer)
        {
            return;
        }
        Console.WriteLine($"Building the server in Release ({RepositoryLayout.ServerProject})...");
        var info = new ProcessStartInfo("dotnet") { UseShellExecute = false };
        foreach (var arg in new[] { "build", RepositoryLayout.ServerProject, "-c", "Release", "-nologo", "-v", "quiet" })
        {
            info.ArgumentList.Add(arg);
        }
        using var build = Process.Start(info) ?? throw new InvalidOperationException("dotnet build did not start.");
        await build.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        if (build.ExitCode != 0 || !File.Exists(options.ServerDll))
        {
            throw new InvalidOperationException($"The server did not build (exit code {build.ExitCode}); expected {options.ServerDll}.");
        }
    }

    private static async Task WaitUntilServingAsync(ChildProcess process, Uri address, string operatorKey, CancellationToken cancellationToken)
    {
        using var connection = new ExchangeConnection(address, operatorKey, TimeSpan.FromSeconds(2));
        var credential = new Credential(operatorKey);
        var deadline = DateTime.UtcNow + StartTimeout;
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"The server exited at start:{Environment.NewLine}{process.LogTail()}");
            }
            try
            {
                await connection.Diagnostics.PingAsync(new PingRequest(), connection.With(credential, cancellationToken)).ConfigureAwait(false);
                return;
            }
            catch (RpcException ex) when (ex.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded)
            {
                await Task.Delay(200, cancellationToken).ConfigureAwait(false);
            }
        }
        throw new TimeoutException($"The server did not answer within {StartTimeout.TotalSeconds} s:{Environment.NewLine}{process.LogTail()}");
    }
}
