using System.Net;
using System.Net.Sockets;

namespace Proxy.Bench.Setup;

/// <summary>
/// Listening ports for the benchmark's servers, chosen below Linux's ephemeral range
/// (32768+) so the load generator's and proxies' outgoing connections never take them
/// between the check here and the server binding them, and below the integration tests'
/// range (20000-32000) so a test run on the same machine does not take one either.
/// </summary>
internal sealed class FreePorts
{
    private const int First = 15000;
    private const int Last = 20000;
    private readonly HashSet<int> _given = [];

    public int Next()
    {
        for (var attempt = 0; attempt < 2000; attempt++)
        {
            var port = Random.Shared.Next(First, Last);
            if (_given.Contains(port) || !IsFree(port))
            {
                continue;
            }

            _given.Add(port);
            return port;
        }

        throw new InvalidOperationException($"no free TCP port between {First} and {Last} on 127.0.0.1");
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(new IPEndPoint(IPAddress.Loopback, port));
            socket.Listen();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
