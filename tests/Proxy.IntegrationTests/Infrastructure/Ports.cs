using System.Net;
using System.Net.Sockets;

namespace Proxy.IntegrationTests.Infrastructure;

/// <summary>Free loopback ports for servers the tests start.</summary>
public static class Ports
{
    // Below Linux's ephemeral range (32768-60999), which every outgoing connection of the
    // suite draws from: a port taken from that range (bind to port 0) can be grabbed by a
    // client socket between the probe and the server's real bind.
    private const int First = 20000;
    private const int Last = 32000;
    private static int _next = First + Random.Shared.Next(Last - First);

    /// <summary>A TCP port on 127.0.0.1 that nothing listens on right now, outside the ephemeral range.</summary>
    public static int GetFreeTcpPort()
    {
        for (var tries = 0; tries < Last - First; tries++)
        {
            // Each caller gets a different candidate, so parallel tests do not pick the same one.
            var port = First + (int)((uint)Interlocked.Increment(ref _next) % (Last - First));
            try
            {
                using var probe = new TcpListener(IPAddress.Loopback, port);
                probe.Start();
                return port;
            }
            catch (SocketException)
            {
                // In use: try the next.
            }
        }

        throw new InvalidOperationException($"No free TCP port between {First} and {Last} on 127.0.0.1.");
    }

    /// <summary><paramref name="count"/> distinct free ports.</summary>
    public static IReadOnlyList<int> GetFreeTcpPorts(int count) =>
        Enumerable.Range(0, count).Select(_ => GetFreeTcpPort()).ToArray();
}
