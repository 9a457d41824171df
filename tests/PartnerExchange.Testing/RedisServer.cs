using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace PartnerExchange.Testing;

/// <summary>
/// A real redis-server on a free loopback port, owned by the tests: started, stopped and started again on
/// the same port to test outages. <see cref="Shared"/> serves every fixture of the assembly (each uses its
/// own key prefix); fault tests start their own.
/// </summary>
public sealed class RedisServer : IDisposable
{
    private static readonly Lazy<RedisServer> SharedServer = new(() =>
    {
        var server = new RedisServer();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => server.Dispose();
        return server;
    });

    private Process? _process;

    public RedisServer()
    {
        Port = LoopbackPorts.Free();
        Start();
    }

    public static RedisServer Shared => SharedServer.Value;

    public int Port { get; }

    public string Configuration => $"127.0.0.1:{Port}";

    public void Start()
    {
        if (_process is { HasExited: false })
        {
            return;
        }
        var start = new ProcessStartInfo("redis-server")
        {
            ArgumentList = { "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        _process = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start; is it installed?");
        _process.OutputDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        WaitUntil(answering: true);
    }

    /// <summary>Kills the server at once, as a crash or a network cut would.</summary>
    public void Stop()
    {
        if (_process is null)
        {
            return;
        }
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
        _process.Dispose();
        _process = null;
        WaitUntil(answering: false);
    }

    public void Dispose() => Stop();

    private void WaitUntil(bool answering)
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            if (Answers() == answering)
            {
                return;
            }
            Thread.Sleep(25);
        }
        throw new InvalidOperationException($"redis-server on port {Port} did not {(answering ? "start" : "stop")}.");
    }

    private bool Answers()
    {
        try
        {
            using var client = new TcpClient();
            client.Connect(IPAddress.Loopback, Port);
            using var stream = client.GetStream();
            stream.Write("PING\r\n"u8);
            var buffer = new byte[16];
            var read = stream.Read(buffer);
            return read > 0 && buffer[0] == (byte)'+';
        }
        catch (SocketException)
        {
            return false;
        }
        catch (IOException)
        {
            return false;
        }
    }
}
