using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using Proxy.IntegrationTests.Infrastructure;

namespace Proxy.IntegrationTests.Harness;

/// <summary>
/// A line-oriented IMAP/POP3 client on a bare socket, for what MailKit hides or will not do:
/// the exact response lines, pipelined bytes, hostile lines, a half-closed socket and whether
/// the proxy closed the connection. Every read has a deadline, so a silent server fails the
/// test instead of hanging it.
/// </summary>
public sealed class RawMailClient : IAsyncDisposable
{
    // Generous because end-to-end logins cross the proxy to Dovecot; tests that measure time pass their own.
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(15);

    private readonly TcpClient _tcp;
    private readonly List<string> _transcript = [];
    private readonly byte[] _buffer = new byte[16 * 1024];
    private Stream _stream;
    private int _start;
    private int _end;

    private RawMailClient(TcpClient tcp)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
    }

    /// <summary>The client's own port: what the proxy sees as the peer's (<c>client.port</c> in its traces).</summary>
    public int LocalPort => ((System.Net.IPEndPoint)_tcp.Client.LocalEndPoint!).Port;

    /// <summary>Every line read so far, for assertions and failure messages.</summary>
    public IReadOnlyList<string> Transcript => _transcript;

    /// <param name="port">A proxy listener on the loopback address.</param>
    /// <param name="pki">When given, TLS from the first byte (the 993/995 listeners); the greeting is not read.</param>
    /// <param name="source">The client's own address, e.g. 127.0.0.2 to be another client address than 127.0.0.1.</param>
    public static async Task<RawMailClient> ConnectAsync(int port, TestPki? pki = null, IPAddress? source = null)
    {
        // NoDelay: each write leaves at once, so a test controls what the proxy receives together.
        var tcp = source is null ? new TcpClient { NoDelay = true } : new TcpClient(new IPEndPoint(source, 0)) { NoDelay = true };
        using var timeout = new CancellationTokenSource(DefaultTimeout);
        await tcp.ConnectAsync("127.0.0.1", port, timeout.Token);
        var client = new RawMailClient(tcp);
        if (pki is not null)
        {
            await client.UpgradeToTlsAsync(pki);
        }

        return client;
    }

    /// <summary>
    /// Connects and reads the greeting; on a plaintext listener (<paramref name="implicitTls"/> false)
    /// runs STARTTLS / STLS first, so either way the session is encrypted and ready for a login.
    /// </summary>
    public static async Task<RawMailClient> ConnectEncryptedAsync(MailProtocolKind protocol, int port, TestPki pki, bool implicitTls)
    {
        var client = await ConnectAsync(port, implicitTls ? pki : null);
        await client.ReadLineAsync();
        if (!implicitTls)
        {
            if (protocol == MailProtocolKind.Imap)
            {
                Assert.StartsWith("s OK", await client.ImapCommandAsync("s", "STARTTLS"));
            }
            else
            {
                await client.WriteLineAsync("STLS");
                Assert.StartsWith("+OK", await client.ReadLineAsync());
            }

            await client.UpgradeToTlsAsync(pki);
        }

        return client;
    }

    /// <summary>Runs the TLS handshake on the connection as it is (after a STARTTLS / STLS go-ahead, or at once).</summary>
    public async Task UpgradeToTlsAsync(TestPki pki)
    {
        if (_start != _end)
        {
            throw new InvalidOperationException("Bytes arrived in clear after the go-ahead; the server must not send any.");
        }

        var tls = new SslStream(_stream, leaveInnerStreamOpen: false, pki.ValidateServerCertificate);
        using var timeout = new CancellationTokenSource(DefaultTimeout);
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "localhost" }, timeout.Token);
        _stream = tls;
    }

    /// <summary>Sends <paramref name="text"/> in one write, so pipelined commands reach the proxy together.</summary>
    public async Task WriteAsync(string text)
    {
        await _stream.WriteAsync(Encoding.UTF8.GetBytes(text));
        await _stream.FlushAsync();
    }

    public Task WriteLineAsync(string line) => WriteAsync(line + "\r\n");

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

    /// <summary>The next line without CRLF.</summary>
    /// <exception cref="EndOfStreamException">The server closed the connection first.</exception>
    /// <exception cref="TimeoutException">No complete line within <paramref name="timeout"/>.</exception>
    public Task<string> ReadLineAsync(TimeSpan? timeout = null) => ReadFirstAsync(_ => true, timeout);

    /// <summary>Reads lines up to and including the first one starting with <paramref name="prefix"/>, and returns it.</summary>
    /// <param name="timeout">For all the lines together.</param>
    public Task<string> ReadUntilAsync(string prefix, TimeSpan? timeout = null) =>
        ReadFirstAsync(line => line.StartsWith(prefix, StringComparison.Ordinal), timeout);

    /// <summary>Sends one tagged IMAP command and returns its tagged completion line.</summary>
    public async Task<string> ImapCommandAsync(string tag, string command)
    {
        await WriteLineAsync($"{tag} {command}");
        return await ReadUntilAsync(tag + " ");
    }

    /// <summary>
    /// True when the server closed the connection (FIN or reset) within <paramref name="timeout"/>,
    /// after any lines still on their way, which go to the transcript; false when it stayed open.
    /// </summary>
    public async Task<bool> ClosedByPeerWithinAsync(TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            while (await NextLineAsync(deadline.Token) is not null)
            {
                // Lines still on their way: the transcript keeps them, nothing else to do.
            }

            return true;
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

    private async Task<string> ReadFirstAsync(Func<string, bool> wanted, TimeSpan? timeout)
    {
        var limit = timeout ?? DefaultTimeout;
        using var deadline = new CancellationTokenSource(limit);
        try
        {
            while (true)
            {
                var line = await NextLineAsync(deadline.Token)
                    ?? throw new EndOfStreamException($"The server closed the connection. Transcript:\n{string.Join('\n', _transcript)}");
                if (wanted(line))
                {
                    return line;
                }
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"No expected line within {limit.TotalSeconds:0.#} s. Transcript:\n{string.Join('\n', _transcript)}");
        }
    }

    /// <summary>The next line without CRLF, kept in the transcript; null when the server closed the connection.</summary>
    private async Task<string?> NextLineAsync(CancellationToken deadline)
    {
        while (true)
        {
            var newline = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
            if (newline >= 0)
            {
                var line = Encoding.UTF8.GetString(_buffer, _start, newline - _start).TrimEnd('\r');
                _start = newline + 1;
                _transcript.Add(line);
                return line;
            }

            // Move the unfinished line to the front so the next read has room behind it.
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            (_end, _start) = (_end - _start, 0);
            if (_end == _buffer.Length)
            {
                throw new InvalidOperationException("A server line longer than the test buffer.");
            }

            int read;
            try
            {
                read = await _stream.ReadAsync(_buffer.AsMemory(_end), deadline);
            }
            catch (IOException)
            {
                // A reset ends the connection as surely as a FIN does.
                return null;
            }

            if (read == 0)
            {
                return null;
            }

            _end += read;
        }
    }
}
