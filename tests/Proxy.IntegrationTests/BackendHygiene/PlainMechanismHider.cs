using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Proxy.IntegrationTests.BackendHygiene;

/// <summary>
/// A plaintext TCP relay in front of a real Dovecot that hides its SASL PLAIN mechanism
/// (<c>AUTH=PLAIN</c> in IMAP capabilities, <c>PLAIN</c> in POP3's <c>SASL</c> line), so the proxy
/// logs in the way it does with an Exchange 2007/2010 backend: IMAP LOGIN with quoted strings and
/// literals, POP3 USER/PASS. Dovecot's own parser then reads what the proxy built. Everything
/// else passes unchanged, both ways.
/// </summary>
public sealed class PlainMechanismHider : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly int _targetPort;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _relays = [];
    private readonly Task _acceptLoop;
    private readonly List<string> _commands = [];

    private PlainMechanismHider(int targetPort)
    {
        _targetPort = targetPort;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _acceptLoop = AcceptLoopAsync();
    }

    public int Port { get; }

    /// <summary>
    /// The command word of each line the proxy sent (<c>LOGIN</c>, <c>USER</c>, <c>AUTHENTICATE</c> …;
    /// for IMAP the word after the tag), so a test can tell how the proxy logged in.
    /// </summary>
    public IReadOnlyList<string> CommandsSeen
    {
        get
        {
            lock (_commands)
            {
                return [.. _commands];
            }
        }
    }

    public static PlainMechanismHider Start(int targetPort) => new(targetPort);

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
            // Stopped under the pending accept.
        }

        Task[] relays;
        lock (_relays)
        {
            relays = [.. _relays];
        }

        await Task.WhenAll(relays);
        _listener.Dispose();
        _stop.Dispose();
    }

    private static string Hide(string line) =>
        line.Replace(" AUTH=PLAIN", "", StringComparison.OrdinalIgnoreCase)
            .Replace("SASL PLAIN", "SASL", StringComparison.OrdinalIgnoreCase);

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptTcpClientAsync(_stop.Token);
            lock (_relays)
            {
                _relays.Add(RelayAsync(client));
            }
        }
    }

    private async Task RelayAsync(TcpClient client)
    {
        using var _ = client;
        using var server = new TcpClient();
        try
        {
            await server.ConnectAsync(IPAddress.Loopback, _targetPort, _stop.Token);
            using var done = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            var up = CopyLinesAsync(client.GetStream(), server.GetStream(), line => line, RecordCommand, done.Token);
            var down = CopyLinesAsync(server.GetStream(), client.GetStream(), Hide, _ => { }, done.Token);
            await Task.WhenAny(up, down);
            await done.CancelAsync();
            await Task.WhenAll(up, down).ContinueWith(_ => { }, TaskScheduler.Default);
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // Either side went away.
        }
    }

    private void RecordCommand(string line)
    {
        var words = line.Split(' ', 3);
        var tagged = words.Length > 1 && words[0].Length > 1 && words[0][0] == 'P' && words[0][1..].All(char.IsAsciiDigit);
        var command = tagged ? words[1] : words[0];
        lock (_commands)
        {
            _commands.Add(command.ToUpperInvariant());
        }
    }

    /// <summary>Copies whole lines (a login dialogue is short lines), each rewritten by <paramref name="rewrite"/> and shown to <paramref name="seen"/>.</summary>
    private static async Task CopyLinesAsync(Stream from, Stream to, Func<string, string> rewrite, Action<string> seen, CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024];
        var pending = new List<byte>();
        while (true)
        {
            var read = await from.ReadAsync(buffer, cancellationToken);
            if (read == 0)
            {
                return;
            }

            pending.AddRange(buffer.AsSpan(0, read));
            var end = pending.LastIndexOf((byte)'\n');
            if (end < 0)
            {
                continue;
            }

            var lines = Encoding.UTF8.GetString([.. pending.GetRange(0, end + 1)]);
            pending.RemoveRange(0, end + 1);
            foreach (var line in lines.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                seen(line.TrimEnd('\r'));
            }

            await to.WriteAsync(Encoding.UTF8.GetBytes(rewrite(lines)), cancellationToken);
        }
    }
}
