using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using Proxy.IntegrationTests.Infrastructure;

namespace Proxy.IntegrationTests.EndToEnd;

/// <summary>
/// A bare line-oriented client, for what MailKit hides: the exact response lines and
/// whether the proxy closed the connection. Every read is bounded.
/// </summary>
internal sealed class LineClient : IAsyncDisposable
{
    private static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(15);

    private readonly TcpClient _tcp;
    private readonly TestPki _pki;
    private readonly byte[] _buffer = new byte[8192];
    private Stream _stream;
    private int _start;
    private int _end;

    private LineClient(TcpClient tcp, Stream stream, TestPki pki)
    {
        _tcp = tcp;
        _stream = stream;
        _pki = pki;
    }

    /// <summary>Every line read so far, for assertion messages.</summary>
    public StringBuilder Transcript { get; } = new();

    /// <summary>Connects and, for <paramref name="implicitTls"/>, completes the TLS handshake; the greeting is not read.</summary>
    public static async Task<LineClient> ConnectAsync(TestPki pki, int port, bool implicitTls)
    {
        var tcp = new TcpClient();
        await tcp.ConnectAsync(DovecotBackend.Host, port).WaitAsync(ReadTimeout);
        var client = new LineClient(tcp, tcp.GetStream(), pki);
        if (implicitTls)
        {
            await client.UpgradeToTlsAsync();
        }

        return client;
    }

    /// <summary>Starts TLS on the connection (after the server agreed to STARTTLS / STLS).</summary>
    public async Task UpgradeToTlsAsync()
    {
        Assert.True(_start == _end, "the server sent bytes before the TLS handshake");
        var tls = new SslStream(_stream, leaveInnerStreamOpen: false, _pki.ValidateServerCertificate);
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "localhost" }).WaitAsync(ReadTimeout);
        _stream = tls;
    }

    public async Task WriteLineAsync(string line)
    {
        await _stream.WriteAsync(Encoding.UTF8.GetBytes(line + "\r\n"));
        await _stream.FlushAsync();
    }

    /// <summary>
    /// Closes the sending side only, as a script piping commands into a socket does at the end of
    /// its input: TLS close_notify, then a TCP FIN. Reading goes on.
    /// </summary>
    public async Task ShutdownSendingAsync()
    {
        if (_stream is SslStream tls)
        {
            await tls.ShutdownAsync();
        }

        _tcp.Client.Shutdown(SocketShutdown.Send);
    }

    /// <summary>The next line without CRLF; fails when the connection closes first.</summary>
    public async Task<string> ReadLineAsync()
    {
        var line = new List<byte>();
        while (true)
        {
            if (_start == _end && !await FillAsync())
            {
                throw new IOException($"The connection closed before a full line. Transcript:\n{Transcript}");
            }

            var b = _buffer[_start++];
            if (b == '\n')
            {
                var text = Encoding.UTF8.GetString(line.ToArray()).TrimEnd('\r');
                Transcript.AppendLine(text);
                return text;
            }

            line.Add(b);
        }
    }

    /// <summary>Reads lines up to and including the first one starting with <paramref name="prefix"/>.</summary>
    public async Task<string> ReadUntilAsync(string prefix)
    {
        while (true)
        {
            var line = await ReadLineAsync();
            if (line.StartsWith(prefix, StringComparison.Ordinal))
            {
                return line;
            }
        }
    }

    /// <summary>Sends one tagged IMAP command and returns its tagged completion line.</summary>
    public async Task<string> ImapCommandAsync(string tag, string command)
    {
        await WriteLineAsync($"{tag} {command}");
        return await ReadUntilAsync(tag + " ");
    }

    /// <summary>
    /// True when the peer closed the connection (a read returned 0) within <paramref name="timeout"/>,
    /// after any lines still on their way; false when it stayed open.
    /// </summary>
    public async Task<bool> ClosedByPeerWithinAsync(TimeSpan timeout)
    {
        Transcript.Append(Encoding.UTF8.GetString(_buffer, _start, _end - _start));
        _start = _end;
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            while (true)
            {
                var read = await _stream.ReadAsync(_buffer, deadline.Token);
                if (read == 0)
                {
                    return true;
                }

                Transcript.Append(Encoding.UTF8.GetString(_buffer, 0, read));
            }
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stream.DisposeAsync();
        _tcp.Dispose();
    }

    private async Task<bool> FillAsync()
    {
        using var deadline = new CancellationTokenSource(ReadTimeout);
        int read;
        try
        {
            read = await _stream.ReadAsync(_buffer, deadline.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"No line within {ReadTimeout.TotalSeconds:0} s. Transcript:\n{Transcript}");
        }

        (_start, _end) = (0, read);
        return read > 0;
    }
}
