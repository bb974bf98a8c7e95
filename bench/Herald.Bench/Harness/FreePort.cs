using System.Net;
using System.Net.Sockets;

namespace Herald.Bench.Harness;

internal static class FreePort
{
    /// <summary>A loopback port nobody listens on right now (the OS picks it; a tiny race with other programs remains).</summary>
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
