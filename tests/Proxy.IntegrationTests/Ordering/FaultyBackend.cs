using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Proxy.IntegrationTests.Harness;

namespace Proxy.IntegrationTests.Ordering;

/// <summary>How a <see cref="FaultyBackend"/> misbehaves once it has accepted a connection.</summary>
public enum Fault
{
    /// <summary>Accepts and keeps the connection open without ever greeting (a hung server).</summary>
    NeverGreets,

    /// <summary>Accepts and resets the connection at once (RST, as a crashing server does).</summary>
    Resets,

    /// <summary>
    /// Greets, answers CAPABILITY / CAPA (and POP3 USER), then never answers the login command:
    /// a server whose authentication backend hangs.
    /// </summary>
    StallsAtLogin,
}

/// <summary>
/// A TCP listener on a free loopback port that accepts connections and misbehaves,
/// counting what it accepted so a test can prove a port was (or was never) dialled.
/// With a certificate it speaks implicit TLS first (the fault then happens inside TLS).
/// </summary>
public sealed class FaultyBackend : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly Fault _fault;
    private readonly MailProtocolKind _protocol;
    private readonly X509Certificate2? _implicitTls;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Socket> _held = [];
    private readonly List<Task> _dialogues = [];
    private readonly Task _acceptLoop;
    private int _accepted;
    private int _loginCommands;

    private FaultyBackend(Fault fault, MailProtocolKind protocol, X509Certificate2? implicitTls)
    {
        _fault = fault;
        _protocol = protocol;
        _implicitTls = implicitTls;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _acceptLoop = AcceptLoopAsync();
    }

    public int Port { get; }

    /// <summary>Connections accepted so far.</summary>
    public int Accepted => Volatile.Read(ref _accepted);

    /// <summary>Login commands received (<see cref="Fault.StallsAtLogin"/>): proof a session, not a probe, got that far.</summary>
    public int LoginCommands => Volatile.Read(ref _loginCommands);

    public static FaultyBackend Start(Fault fault) => new(fault, MailProtocolKind.Imap, null);

    /// <summary>A faulty backend that speaks <paramref name="protocol"/> up to its fault, optionally over implicit TLS.</summary>
    public static FaultyBackend Start(Fault fault, MailProtocolKind protocol, X509Certificate2? implicitTls = null) => new(fault, protocol, implicitTls);

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

        Task[] dialogues;
        lock (_dialogues)
        {
            dialogues = [.. _dialogues];
        }

        await Task.WhenAll(dialogues);
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
                continue;
            }

            lock (_held)
            {
                _held.Add(socket);
            }

            if (_fault == Fault.StallsAtLogin || _implicitTls is not null)
            {
                lock (_dialogues)
                {
                    _dialogues.Add(Task.Run(() => SpeakAsync(socket)));
                }
            }
        }
    }

    /// <summary>TLS when configured, then (for <see cref="Fault.StallsAtLogin"/>) the dialogue up to the login; then silence.</summary>
    private async Task SpeakAsync(Socket socket)
    {
        Stream stream = new NetworkStream(socket, ownsSocket: false);
        try
        {
            if (_implicitTls is not null)
            {
                var ssl = new SslStream(stream);
                stream = ssl;
                await ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = _implicitTls }, _stop.Token);
            }

            if (_fault == Fault.StallsAtLogin)
            {
                await StallAtLoginAsync(stream);
            }

            // A hung server: holds the connection and reads nothing more.
            await Task.Delay(Timeout.Infinite, _stop.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or SocketException or ObjectDisposedException or System.Security.Authentication.AuthenticationException)
        {
            // The peer gave up or the test is over.
        }
        finally
        {
            await stream.DisposeAsync();
        }
    }

    private async Task StallAtLoginAsync(Stream stream)
    {
        var imap = _protocol == MailProtocolKind.Imap;
        await WriteAsync(stream, imap ? "* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN] Stalling server ready.\r\n" : "+OK Stalling server ready.\r\n");
        using var reader = new StreamReader(stream, Encoding.ASCII, leaveOpen: true);
        while (await reader.ReadLineAsync(_stop.Token) is { } line)
        {
            var words = line.Split(' ');
            var verb = (imap ? words.ElementAtOrDefault(1) : words[0])?.ToUpperInvariant();
            switch (verb)
            {
                case "CAPABILITY":
                    await WriteAsync(stream, $"* CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN\r\n{words[0]} OK Capability completed.\r\n");
                    break;
                case "CAPA":
                    await WriteAsync(stream, "+OK\r\nUSER\r\nSASL PLAIN\r\n.\r\n");
                    break;
                case "USER":
                    await WriteAsync(stream, "+OK\r\n");
                    break;
                case "LOGIN" or "AUTHENTICATE" or "AUTH" or "PASS":
                    Interlocked.Increment(ref _loginCommands);
                    return;
                case "LOGOUT":
                    await WriteAsync(stream, $"* BYE\r\n{words[0]} OK Logout completed.\r\n");
                    return;
                case "QUIT":
                    await WriteAsync(stream, "+OK\r\n");
                    return;
                default:
                    await WriteAsync(stream, imap ? $"{words[0]} BAD Unknown command.\r\n" : "-ERR Unknown command.\r\n");
                    break;
            }
        }
    }

    private async Task WriteAsync(Stream stream, string text)
    {
        await stream.WriteAsync(Encoding.ASCII.GetBytes(text), _stop.Token);
        await stream.FlushAsync(_stop.Token);
    }
}
