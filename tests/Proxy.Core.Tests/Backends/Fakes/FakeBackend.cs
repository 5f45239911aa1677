using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Proxy.Core.Configuration;
using Proxy.Core.Discovery;

namespace Proxy.Core.Tests.Backends.Fakes;

/// <summary>
/// A scripted IMAP/POP3 backend on 127.0.0.1 and an ephemeral port. Every accepted
/// connection runs the script; implicit TLS when a certificate is given.
/// </summary>
internal sealed class FakeBackend : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly Func<FakeBackendClient, Task> _script;
    private readonly X509Certificate2? _implicitTls;
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<FakeBackendClient> _clients = [];
    private readonly List<Task> _running = [];
    private readonly Task _acceptLoop;

    private FakeBackend(Func<FakeBackendClient, Task> script, X509Certificate2? implicitTls)
    {
        _script = script;
        _implicitTls = implicitTls;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        _acceptLoop = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Connections accepted so far.</summary>
    public int Connections
    {
        get
        {
            lock (_clients)
            {
                return _running.Count;
            }
        }
    }

    /// <summary>The connections whose TLS handshake (if any) completed, in order.</summary>
    public IReadOnlyList<FakeBackendClient> Clients
    {
        get
        {
            lock (_clients)
            {
                return [.. _clients];
            }
        }
    }

    /// <summary>Failures of the scripts, for diagnosing a test.</summary>
    public List<Exception> ScriptErrors { get; } = [];

    public static FakeBackend Start(Func<FakeBackendClient, Task> script, X509Certificate2? implicitTls = null) =>
        new(script, implicitTls);

    /// <summary>A loopback port nobody listens on: connecting is refused at once.</summary>
    public static int ClosedPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    public BackendEndpoint Endpoint(BackendMethod method) => new("127.0.0.1", Port, method);

    /// <summary>Waits for the scripts of every accepted connection to finish.</summary>
    public async Task WhenScriptsDoneAsync()
    {
        Task[] running;
        lock (_clients)
        {
            running = [.. _running];
        }

        await Task.WhenAll(running).WaitAsync(TimeSpan.FromSeconds(5));
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Stop();
        try
        {
            await _acceptLoop;
            await WhenScriptsDoneAsync();
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException or TimeoutException)
        {
        }

        _stopping.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync(_stopping.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            lock (_clients)
            {
                _running.Add(Task.Run(() => RunAsync(socket)));
            }
        }
    }

    private async Task RunAsync(Socket socket)
    {
        Stream stream = new NetworkStream(socket, ownsSocket: true);
        try
        {
            if (_implicitTls is not null)
            {
                var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
                stream = ssl;
                await ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = _implicitTls }, _stopping.Token);
            }

            var client = new FakeBackendClient(stream, _stopping.Token);
            lock (_clients)
            {
                _clients.Add(client);
            }

            await _script(client);
        }
        catch (Exception e)
        {
            lock (ScriptErrors)
            {
                ScriptErrors.Add(e);
            }
        }
        finally
        {
            await stream.DisposeAsync();
        }
    }
}
