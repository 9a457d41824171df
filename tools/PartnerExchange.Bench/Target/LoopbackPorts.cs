using System.Net;
using System.Net.Sockets;

namespace PartnerExchange.Bench.Target;

/// <summary>Free TCP ports on the loopback interface, for the processes the benchmark starts.</summary>
internal static class LoopbackPorts
{
    /// <summary>A port the system just handed out and released; a race with another process is possible but rare.</summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
