using System.Net;
using System.Net.Sockets;

namespace Proxy.IntegrationTests.Infrastructure;

/// <summary>Free loopback ports for servers the tests start.</summary>
public static class Ports
{
    /// <summary>
    /// A TCP port on 127.0.0.1 that nothing listens on right now. The kernel picks it
    /// (bind to port 0), so parallel tests do not collide; the small window between
    /// closing the probe and the real bind is acceptable for tests.
    /// </summary>
    public static int GetFreeTcpPort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    /// <summary><paramref name="count"/> distinct free ports, all held until every one is picked.</summary>
    public static IReadOnlyList<int> GetFreeTcpPorts(int count)
    {
        var probes = new List<TcpListener>(count);
        try
        {
            for (var i = 0; i < count; i++)
            {
                var probe = new TcpListener(IPAddress.Loopback, 0);
                probe.Start();
                probes.Add(probe);
            }

            return probes.Select(p => ((IPEndPoint)p.LocalEndpoint).Port).ToArray();
        }
        finally
        {
            foreach (var probe in probes)
            {
                probe.Stop();
                probe.Dispose();
            }
        }
    }
}
