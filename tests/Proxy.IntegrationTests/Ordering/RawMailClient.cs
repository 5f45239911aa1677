using System.Diagnostics;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using Proxy.IntegrationTests.Infrastructure;

namespace Proxy.IntegrationTests.Ordering;

/// <summary>
/// A line-oriented IMAP/POP3 client on a bare socket, for what MailKit will not do:
/// exact response text, pipelined bytes, hostile lines, watching for the close.
/// Every read is bounded.
/// </summary>
public sealed class RawMailClient : IAsyncDisposable
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    private readonly TcpClient _tcp;
    private readonly byte[] _buffer = new byte[16 * 1024];
    private Stream _stream;
    private int _start;
    private int _end;

    private RawMailClient(TcpClient tcp, Stream stream)
    {
        _tcp = tcp;
        _stream = stream;
    }

    /// <summary>Lines read so far, for assertion messages.</summary>
    public List<string> Transcript { get; } = [];

    /// <param name="pki">When given, TLS from the first byte (the proxy's 993/995 listeners).</param>
    public static async Task<RawMailClient> ConnectAsync(int port, TestPki? pki = null)
    {
        var tcp = new TcpClient { NoDelay = true };
        using var timeout = new CancellationTokenSource(DefaultTimeout);
        await tcp.ConnectAsync("127.0.0.1", port, timeout.Token);
        var client = new RawMailClient(tcp, tcp.GetStream());
        if (pki is not null)
        {
            await client.UpgradeToTlsAsync(pki);
        }

        return client;
    }

    /// <summary>Runs the TLS handshake on the connection as it is (after a STARTTLS go-ahead, or at once).</summary>
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

    public async Task WriteAsync(string text)
    {
        await _stream.WriteAsync(Encoding.ASCII.GetBytes(text));
        await _stream.FlushAsync();
    }

    public Task WriteLineAsync(string line) => WriteAsync(line + "\r\n");

    /// <summary>The next line without CRLF; null when the server closed (FIN or reset).</summary>
    /// <exception cref="TimeoutException">Nothing complete arrived in time.</exception>
    public async Task<string?> ReadLineAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? DefaultTimeout);
        while (true)
        {
            var newline = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
            if (newline >= 0)
            {
                var line = Encoding.ASCII.GetString(_buffer, _start, newline - _start).TrimEnd('\r');
                _start = newline + 1;
                Transcript.Add(line);
                return line;
            }

            if (_start > 0)
            {
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
                (_end, _start) = (_end - _start, 0);
            }

            if (_end == _buffer.Length)
            {
                throw new InvalidOperationException("A server line longer than the test buffer.");
            }

            int read;
            try
            {
                read = await _stream.ReadAsync(_buffer.AsMemory(_end), cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"No complete line within {timeout ?? DefaultTimeout}. Transcript:\n{string.Join('\n', Transcript)}");
            }
            catch (IOException)
            {
                return null;
            }

            if (read == 0)
            {
                return null;
            }

            _end += read;
        }
    }

    /// <summary>Reads lines until one starts with <paramref name="prefix"/>, and returns it.</summary>
    public async Task<string> ReadUntilAsync(string prefix, TimeSpan? timeout = null)
    {
        var deadline = Stopwatch.StartNew();
        var limit = timeout ?? DefaultTimeout;
        while (true)
        {
            var left = limit - deadline.Elapsed;
            var line = await ReadLineAsync(left > TimeSpan.Zero ? left : TimeSpan.FromMilliseconds(1))
                ?? throw new EndOfStreamException($"Closed before a line starting '{prefix}'. Transcript:\n{string.Join('\n', Transcript)}");
            if (line.StartsWith(prefix, StringComparison.Ordinal))
            {
                return line;
            }
        }
    }

    /// <summary>Reads (and keeps) whatever comes until the server closes; false when it did not close in time.</summary>
    public async Task<bool> WaitForCloseAsync(TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            while (true)
            {
                var left = timeout - clock.Elapsed;
                if (left <= TimeSpan.Zero || await ReadLineAsync(left) is null)
                {
                    return left > TimeSpan.Zero;
                }
            }
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stream.DisposeAsync();
        _tcp.Dispose();
    }
}
