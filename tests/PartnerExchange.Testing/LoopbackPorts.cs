using System.Net;
using System.Net.Sockets;

namespace PartnerExchange.Testing;

/// <summary>Loopback ports for the processes and listeners tests start.</summary>
public static class LoopbackPorts
{
    /// <summary>A port nothing listens on right now (the system's pick of a free one, released at once).</summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
