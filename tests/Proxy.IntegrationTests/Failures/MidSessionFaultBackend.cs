using System.Net;
using System.Net.Sockets;
using System.Text;
using Proxy.IntegrationTests.Harness;

namespace Proxy.IntegrationTests.Failures;

/// <summary>Where a <see cref="MidSessionFaultBackend"/> stops answering FETCH (IMAP) or RETR (POP3).</summary>
public enum MidSessionFault
{
    /// <summary>Sends the response's first line and part of its literal (IMAP) or message (POP3), then waits to be reset.</summary>
    MidResponse,

    /// <summary>Sends one whole response, then waits to be reset: the backend dies between responses.</summary>
    BetweenResponses,
}

/// <summary>
/// A plaintext IMAP or POP3 server on a free loopback port that logs anybody in and behaves
/// until the client asks for a message (FETCH / RETR). Then it sends what its
/// <see cref="MidSessionFault"/> says and holds the connection until the test calls
/// <see cref="ResetAll"/>, which resets (RST) every held connection, as a crashing server does.
/// The test thus knows the proxy has forwarded the partial response before the reset.
/// </summary>
public sealed class MidSessionFaultBackend : IAsyncDisposable
{
    /// <summary>The literal (or message) the fault announces; only <see cref="PartialBytes"/> of it are sent.</summary>
    public const int AnnouncedBytes = 10_000;

    public const int PartialBytes = 3_000;

    private readonly TcpListener _listener;
    private readonly MailProtocolKind _protocol;
    private readonly MidSessionFault _fault;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Socket> _held = [];
    private readonly List<Task> _connections = [];
    private readonly Task _acceptLoop;
    private int _accepted;

    private MidSessionFaultBackend(MailProtocolKind protocol, MidSessionFault fault)
    {
        _protocol = protocol;
        _fault = fault;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _acceptLoop = AcceptLoopAsync();
    }

    public int Port { get; }

    public int Accepted => Volatile.Read(ref _accepted);

    /// <summary>Connections that reached the fault and wait for <see cref="ResetAll"/>.</summary>
    public int Held
    {
        get
        {
            lock (_held)
            {
                return _held.Count;
            }
        }
    }

    public static MidSessionFaultBackend Start(MailProtocolKind protocol, MidSessionFault fault) => new(protocol, fault);

    /// <summary>Resets every connection that reached the fault (linger 0: a RST, not a FIN).</summary>
    public void ResetAll()
    {
        lock (_held)
        {
            foreach (var socket in _held)
            {
                socket.LingerState = new LingerOption(true, 0);
                socket.Dispose();
            }

            _held.Clear();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        ResetAll();
        try
        {
            await _acceptLoop;
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // The listener was stopped under the pending accept.
        }

        Task[] connections;
        lock (_connections)
        {
            connections = [.. _connections];
        }

        await Task.WhenAll(connections);
        _listener.Dispose();
        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var socket = await _listener.AcceptSocketAsync(_stop.Token);
            Interlocked.Increment(ref _accepted);
            lock (_connections)
            {
                _connections.RemoveAll(t => t.IsCompleted);
                _connections.Add(ServeAsync(socket));
            }
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        var held = false;
        try
        {
            using var stream = new NetworkStream(socket, ownsSocket: false);
            var reader = new StreamReader(stream, Encoding.ASCII);
            held = _protocol == MailProtocolKind.Imap ? await ServeImapAsync(stream, reader) : await ServePop3Async(stream, reader);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // The proxy went away, or the test reset us.
        }
        finally
        {
            if (held)
            {
                lock (_held)
                {
                    _held.Add(socket);
                }
            }
            else
            {
                socket.Dispose();
            }
        }
    }

    /// <returns>True when the connection reached the fault and is to be held for <see cref="ResetAll"/>.</returns>
    private async Task<bool> ServeImapAsync(Stream stream, StreamReader reader)
    {
        await WriteAsync(stream, "* OK [CAPABILITY IMAP4rev1 IDLE] Fault backend ready.\r\n");
        while (await reader.ReadLineAsync(_stop.Token) is { } line)
        {
            var parts = line.Split(' ', 3);
            var (tag, command) = (parts[0], parts.Length > 1 ? parts[1].ToUpperInvariant() : "");
            if (command == "UID" && parts.Length > 2)
            {
                command = parts[2].Split(' ')[0].ToUpperInvariant();
            }

            switch (command)
            {
                case "CAPABILITY":
                    await WriteAsync(stream, $"* CAPABILITY IMAP4rev1 IDLE\r\n{tag} OK Capability completed.\r\n");
                    break;
                case "LOGIN":
                    await WriteAsync(stream, $"{tag} OK [CAPABILITY IMAP4rev1 IDLE] Logged in\r\n");
                    break;
                case "SELECT" or "EXAMINE":
                    await WriteAsync(stream, $"* 1 EXISTS\r\n* 0 RECENT\r\n{tag} OK [READ-WRITE] Select completed.\r\n");
                    break;
                case "LOGOUT":
                    await WriteAsync(stream, $"* BYE Logging out\r\n{tag} OK Logout completed.\r\n");
                    return false;
                case "FETCH":
                    await WriteAsync(stream, _fault == MidSessionFault.MidResponse
                        ? $"* 1 FETCH (BODY[] {{{AnnouncedBytes}}}\r\n" + Body(PartialBytes)
                        : "* 1 FETCH (FLAGS (\\Seen))\r\n");
                    return true;
                default:
                    await WriteAsync(stream, $"{tag} OK Done.\r\n");
                    break;
            }
        }

        return false;
    }

    private async Task<bool> ServePop3Async(Stream stream, StreamReader reader)
    {
        await WriteAsync(stream, "+OK Fault backend ready.\r\n");
        while (await reader.ReadLineAsync(_stop.Token) is { } line)
        {
            switch (line.Split(' ')[0].ToUpperInvariant())
            {
                case "CAPA":
                    await WriteAsync(stream, "+OK\r\nUSER\r\n.\r\n");
                    break;
                case "STAT":
                    await WriteAsync(stream, $"+OK 1 {AnnouncedBytes}\r\n");
                    break;
                case "QUIT":
                    await WriteAsync(stream, "+OK Logging out.\r\n");
                    return false;
                case "RETR":
                    await WriteAsync(stream, _fault == MidSessionFault.MidResponse
                        ? $"+OK {AnnouncedBytes} octets\r\n" + Body(PartialBytes)
                        : "+OK 40 octets\r\nSubject: short\r\n\r\nA short message.\r\n.\r\n");
                    return true;
                default:
                    await WriteAsync(stream, "+OK\r\n");
                    break;
            }
        }

        return false;
    }

    /// <summary>Message text of exactly <paramref name="length"/> bytes in CRLF-terminated lines (the last one complete).</summary>
    public static string Body(int length)
    {
        var line = new string('x', 48) + "\r\n";
        var text = new StringBuilder();
        while (text.Length + line.Length <= length)
        {
            text.Append(line);
        }

        var rest = length - text.Length;
        return text.Append(new string('y', Math.Max(0, rest - 2))).Append(rest >= 2 ? "\r\n" : new string('y', rest)).ToString();
    }

    private async Task WriteAsync(Stream stream, string text)
    {
        await stream.WriteAsync(Encoding.ASCII.GetBytes(text), _stop.Token);
        await stream.FlushAsync(_stop.Token);
    }
}
