using System.Net;
using System.Net.Sockets;

namespace PartnerExchange.Tools;

/// <summary>
/// Free TCP ports on the loopback interface, for the processes and listeners the benchmark and the tests start. One
/// file compiled into both (tools/Shared).
/// </summary>
public static class LoopbackPorts
{
    /// <summary>A port nothing listens on right now: the system's pick of a free one, released at once. A race with another process is possible but rare.</summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
