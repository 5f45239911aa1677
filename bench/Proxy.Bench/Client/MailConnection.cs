using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;

namespace Proxy.Bench.Client;

/// <summary>
/// One raw TCP connection to a mail server (Nagle off), optionally from a chosen 127.x
/// source address so tens of thousands of connections do not exhaust one address's
/// ephemeral ports, and optionally upgraded to TLS.
/// </summary>
internal sealed class MailConnection : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly byte[] _writeBuffer = new byte[1024];
    private Stream _stream;

    private MailConnection(Socket socket, int bufferSize)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: false);
        Reader = new ResponseReader(_stream, bufferSize);
    }

    public ResponseReader Reader { get; }

    public bool IsTls => _stream is SslStream;

    /// <param name="bufferSize">The read buffer; small for the thousands of idle sessions, 64 KiB for bulk.</param>
    public static async Task<MailConnection> OpenAsync(IPEndPoint server, IPAddress? source, CancellationToken cancellationToken, int bufferSize = 64 * 1024)
    {
        var socket = new Socket(server.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            if (source is not null)
            {
                socket.Bind(new IPEndPoint(source, 0));
            }

            await socket.ConnectAsync(server, cancellationToken).ConfigureAwait(false);
            return new MailConnection(socket, bufferSize);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>TLS client handshake over the connection as it stands (implicit TLS, or after STARTTLS's go-ahead).</summary>
    public async Task UpgradeToTlsAsync(BenchTrust trust, CancellationToken cancellationToken)
    {
        var ssl = new SslStream(_stream, leaveInnerStreamOpen: false);
        await ssl.AuthenticateAsClientAsync(trust.ClientOptions(), cancellationToken).ConfigureAwait(false);
        _stream = ssl;
        Reader.Rebind(ssl);
    }

    /// <summary>Sends one ASCII line; CR LF is appended.</summary>
    public ValueTask WriteLineAsync(string line, CancellationToken cancellationToken)
    {
        var length = Encoding.ASCII.GetBytes(line, _writeBuffer);
        _writeBuffer[length++] = (byte)'\r';
        _writeBuffer[length++] = (byte)'\n';
        return _stream.WriteAsync(_writeBuffer.AsMemory(0, length), cancellationToken);
    }

    /// <summary>Sends pre-encoded bytes as they are (the hot loops encode their commands once).</summary>
    public ValueTask WriteAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken) =>
        _stream.WriteAsync(bytes, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _stream.DisposeAsync().ConfigureAwait(false);
        }
        catch (IOException)
        {
            // The peer may already have gone (after LOGOUT/QUIT).
        }

        _socket.Dispose();
    }
}
