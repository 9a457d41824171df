using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace PartnerExchange.Bench.Target;

/// <summary>Starts a private redis-server on a free loopback port for the exchange's idempotency and rate limits.</summary>
internal static class RedisProcess
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(15);

    public static async Task<(ChildProcess Process, int Port)> StartAsync(string executable, string folder, CancellationToken cancellationToken)
    {
        var port = LoopbackPorts.Free();
        var logPath = Path.Combine(folder, "redis.log");
        var info = new ProcessStartInfo(executable) { WorkingDirectory = folder, UseShellExecute = false };
        // No snapshots: a fork to write an RDB file in the middle of a measurement would be noise, and the
        // ledger, not Redis, is what must survive.
        foreach (var arg in new[] { "--port", $"{port}", "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
            "--dir", folder, "--logfile", logPath, "--daemonize", "no" })
        {
            info.ArgumentList.Add(arg);
        }
        var process = ChildProcess.Start("redis-server", info, logPath);
        try
        {
            await WaitUntilAnswersAsync(process, port, cancellationToken).ConfigureAwait(false);
            return (process, port);
        }
        catch
        {
            await process.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static async Task WaitUntilAnswersAsync(ChildProcess process, int port, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + StartTimeout;
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"redis-server exited at start:{Environment.NewLine}{process.LogTail()}");
            }
            if (await AnswersPingAsync(port, cancellationToken).ConfigureAwait(false))
            {
                return;
            }
            await Task.Delay(100, cancellationToken).ConfigureAwait(false);
        }
        throw new TimeoutException($"redis-server did not answer on port {port} within {StartTimeout.TotalSeconds} s.");
    }

    private static async Task<bool> AnswersPingAsync(int port, CancellationToken cancellationToken)
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, port, cancellationToken).ConfigureAwait(false);
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray(), cancellationToken).ConfigureAwait(false);
            var buffer = new byte[16];
            var read = await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            return Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal);
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
