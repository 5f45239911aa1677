using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Proxy.IntegrationTests.HostileInput;

/// <summary>
/// A fault-injecting IMAP backend on a free loopback port (plaintext): it greets with
/// AUTH=PLAIN and SASL-IR, accepts any login, answers every command with OK, and answers
/// FETCH with a literal that never ends, written as fast as its socket takes it. It counts
/// the bytes the socket accepted, so a test can see when the writes stall and how much the
/// proxy's side (its pipes and its sockets' kernel buffers) took in until then.
/// </summary>
public sealed class StreamingBackend : IAsyncDisposable
{
    private const int ChunkSize = 64 * 1024;

    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _connections = [];
    private readonly Task _acceptLoop;
    private long _streamed;
    private int _streamsEnded;

    private StreamingBackend()
    {
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _acceptLoop = AcceptLoopAsync();
    }

    public int Port { get; }

    /// <summary>Bytes of endless FETCH data the backend's sockets have accepted so far.</summary>
    public long BytesStreamed => Interlocked.Read(ref _streamed);

    /// <summary>Connections that were streaming FETCH data and ended (the peer closed or reset them).</summary>
    public int StreamsEnded => Volatile.Read(ref _streamsEnded);

    public static StreamingBackend Start() => new();

    /// <summary>Waits until <see cref="BytesStreamed"/> has not moved for <paramref name="quiet"/>; false when it still grew at <paramref name="limit"/>.</summary>
    public async Task<bool> WaitForStallAsync(TimeSpan quiet, TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        var last = BytesStreamed;
        var since = DateTime.UtcNow;
        while (DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
            var now = BytesStreamed;
            if (now != last)
            {
                (last, since) = (now, DateTime.UtcNow);
            }
            else if (now > 0 && DateTime.UtcNow - since >= quiet)
            {
                return true;
            }
        }

        return false;
    }

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
            lock (_connections)
            {
                _connections.Add(ServeAsync(socket));
            }
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        // A small send buffer of its own, so the bytes counted are mostly what the proxy's side took in.
        socket.SendBufferSize = 64 * 1024;
        await using var stream = new NetworkStream(socket, ownsSocket: true);
        var streaming = false;
        try
        {
            await WriteAsync(stream, "* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN] streaming backend ready.");
            var reader = new LineReader(stream);
            while (await reader.ReadLineAsync(_stop.Token) is { } line)
            {
                var space = line.IndexOf(' ', StringComparison.Ordinal);
                var tag = space < 0 ? line : line[..space];
                var command = space < 0 ? "" : line[(space + 1)..].ToUpperInvariant();
                if (command.StartsWith("AUTHENTICATE", StringComparison.Ordinal))
                {
                    await WriteAsync(stream, $"{tag} OK [CAPABILITY IMAP4rev1 IDLE] Logged in");
                }
                else if (command.Contains("FETCH", StringComparison.Ordinal))
                {
                    await WriteAsync(stream, "* 1 FETCH (BODY[] {4294967295}");
                    streaming = true;
                    var chunk = Encoding.ASCII.GetBytes(new string('m', ChunkSize));
                    while (true)
                    {
                        await stream.WriteAsync(chunk, _stop.Token);
                        Interlocked.Add(ref _streamed, chunk.Length);
                    }
                }
                else if (command == "LOGOUT")
                {
                    await WriteAsync(stream, $"* BYE Logging out\r\n{tag} OK LOGOUT completed.");
                    break;
                }
                else
                {
                    await WriteAsync(stream, $"{tag} OK {command} completed.");
                }
            }
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The proxy closed the connection, or the test is over.
        }
        finally
        {
            if (streaming)
            {
                Interlocked.Increment(ref _streamsEnded);
            }
        }
    }

    private async Task WriteAsync(Stream stream, string lines) =>
        await stream.WriteAsync(Encoding.ASCII.GetBytes(lines + "\r\n"), _stop.Token);

    /// <summary>CRLF lines from a stream; null at its end.</summary>
    private sealed class LineReader(Stream stream)
    {
        private readonly byte[] _buffer = new byte[8192];
        private int _end;

        public async Task<string?> ReadLineAsync(CancellationToken cancellationToken)
        {
            while (true)
            {
                var lineFeed = Array.IndexOf(_buffer, (byte)'\n', 0, _end);
                if (lineFeed >= 0)
                {
                    var line = Encoding.ASCII.GetString(_buffer, 0, lineFeed).TrimEnd('\r');
                    Buffer.BlockCopy(_buffer, lineFeed + 1, _buffer, 0, _end - lineFeed - 1);
                    _end -= lineFeed + 1;
                    return line;
                }

                if (_end == _buffer.Length)
                {
                    throw new IOException("A command line longer than the fake backend's buffer.");
                }

                var read = await stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken);
                if (read == 0)
                {
                    return null;
                }

                _end += read;
            }
        }
    }
}
