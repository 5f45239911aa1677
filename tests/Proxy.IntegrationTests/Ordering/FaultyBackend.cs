using System.Net;
using System.Net.Sockets;

namespace Proxy.IntegrationTests.Ordering;

/// <summary>How a <see cref="FaultyBackend"/> misbehaves once it has accepted a connection.</summary>
public enum Fault
{
    /// <summary>Accepts and keeps the connection open without ever greeting (a hung server).</summary>
    NeverGreets,

    /// <summary>Accepts and resets the connection at once (RST, as a crashing server does).</summary>
    Resets,
}

/// <summary>
/// A TCP listener on a free loopback port that accepts connections and misbehaves,
/// counting what it accepted so a test can prove a port was (or was never) dialled.
/// </summary>
public sealed class FaultyBackend : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly Fault _fault;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Socket> _held = [];
    private readonly Task _acceptLoop;
    private int _accepted;

    private FaultyBackend(Fault fault)
    {
        _fault = fault;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _acceptLoop = AcceptLoopAsync();
    }

    public int Port { get; }

    /// <summary>Connections accepted so far.</summary>
    public int Accepted => Volatile.Read(ref _accepted);

    public static FaultyBackend Start(Fault fault) => new(fault);

    /// <summary>
    /// A loopback port nothing listens on: the kernel's pick, released at once. The
    /// window in which something else could take it is negligible for a test.
    /// </summary>
    public static int ClosedPort() => Infrastructure.Ports.GetFreeTcpPort();

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _acceptLoop;
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // The listener was stopped under the pending accept.
        }

        lock (_held)
        {
            foreach (var socket in _held)
            {
                socket.Dispose();
            }
        }

        _listener.Dispose();
        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var socket = await _listener.AcceptSocketAsync(_stop.Token);
            Interlocked.Increment(ref _accepted);
            if (_fault == Fault.Resets)
            {
                // Linger 0 turns the close into a RST instead of a FIN.
                socket.LingerState = new LingerOption(true, 0);
                socket.Close();
            }
            else
            {
                lock (_held)
                {
                    _held.Add(socket);
                }
            }
        }
    }
}
