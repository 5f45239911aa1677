using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Proxy.Core.Tests.Backends.Fakes;

/// <summary>
/// The fake backend's side of one connection: what the proxy sent (byte for byte) and
/// scripted answers. Reads one byte at a time so nothing is read ahead of a TLS upgrade.
/// </summary>
internal sealed class FakeBackendClient(Stream stream, CancellationToken stopping)
{
    private readonly MemoryStream _received = new();
    private Stream _stream = stream;

    /// <summary>Everything the proxy sent, across a TLS upgrade too.</summary>
    public byte[] ReceivedBytes
    {
        get
        {
            lock (_received)
            {
                return _received.ToArray();
            }
        }
    }

    public string Received => Encoding.UTF8.GetString(ReceivedBytes);

    public bool IsTls => _stream is SslStream;

    /// <summary>Writes the text as is, in one write (several lines may go in one packet).</summary>
    public async Task SendAsync(string text)
    {
        await _stream.WriteAsync(Encoding.UTF8.GetBytes(text), stopping);
        await _stream.FlushAsync(stopping);
    }

    /// <summary>The next line without CRLF, or null at end of stream.</summary>
    public async Task<string?> ReadLineAsync()
    {
        var line = new List<byte>();
        var one = new byte[1];
        while (true)
        {
            if (await _stream.ReadAsync(one, stopping) == 0)
            {
                return line.Count == 0 ? null : Encoding.UTF8.GetString([.. line]);
            }

            Record(one);
            if (one[0] == '\n')
            {
                return Encoding.UTF8.GetString([.. line]).TrimEnd('\r');
            }

            line.Add(one[0]);
        }
    }

    /// <summary>Reads a command and returns its tag (IMAP) and the rest.</summary>
    public async Task<(string Tag, string Command)> ReadCommandAsync()
    {
        var line = await ReadLineAsync() ?? throw new IOException("The proxy closed the connection.");
        var space = line.IndexOf(' ', StringComparison.Ordinal);
        return space < 0 ? (line, "") : (line[..space], line[(space + 1)..]);
    }

    public async Task<byte[]> ReadExactAsync(int count)
    {
        var buffer = new byte[count];
        await _stream.ReadExactlyAsync(buffer, stopping);
        Record(buffer);
        return buffer;
    }

    /// <summary>Waits until the proxy closes the connection (or the backend stops).</summary>
    public async Task ReadToEndAsync()
    {
        try
        {
            while (await ReadLineAsync() is not null)
            {
            }
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException)
        {
        }
    }

    public async Task StartTlsAsync(X509Certificate2 certificate)
    {
        var ssl = new SslStream(_stream, leaveInnerStreamOpen: false);
        await ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = certificate }, stopping);
        _stream = ssl;
    }

    private void Record(byte[] bytes)
    {
        lock (_received)
        {
            _received.Write(bytes);
        }
    }
}
