using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using Proxy.Bench.Client;

namespace Proxy.Bench.Setup;

/// <summary>
/// Everything a run needs on 127.0.0.1: the Dovecot backend with its users and mail, and in
/// front of it the proxy, nginx's mail module, a Dovecot proxy and HAProxy. Started in the
/// foreground as child processes; disposing stops exactly those.
/// </summary>
internal sealed class BenchLab : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);
    private readonly string _runDirectory;
    private readonly string _proxyDll;
    private readonly List<ChildProcess> _children = [];
    private readonly FreePorts _ports = new();
    /// <summary>Proxy.Host's exit code when a listener cannot bind (ProxyHost.ExitListenerFailed).</summary>
    private const int ProxyExitListenerFailed = 3;
    private ChildProcess? _proxy;
    private string _proxyConfig = "";
    private Func<MailPorts, string> _writeProxyConfig = _ => "";
    private int _proxyStarts;

    private readonly IReadOnlyDictionary<string, string> _proxyEnvironment;

    private BenchLab(string runDirectory, string proxyDll, IReadOnlyDictionary<string, string> proxyEnvironment, BenchPki pki)
    {
        _proxyEnvironment = proxyEnvironment;
        _runDirectory = runDirectory;
        _proxyDll = proxyDll;
        Pki = pki;
        Trust = new BenchTrust(pki.CertificateSha256);
    }

    public BenchPki Pki { get; }

    public BenchTrust Trust { get; }

    public IReadOnlyDictionary<string, MailSystem> Systems { get; private set; } = new Dictionary<string, MailSystem>();

    /// <summary>Processes of the backend Dovecot (master and everything below it).</summary>
    public IReadOnlyCollection<int> BackendProcesses { get; private set; } = [];

    /// <param name="proxyEnvironment">Extra environment variables for the proxy process (runtime settings to try).</param>
    public static async Task<BenchLab> StartAsync(string runDirectory, string proxyDll, IReadOnlyDictionary<string, string> proxyEnvironment, CancellationToken cancellationToken)
    {
        System.IO.Directory.CreateDirectory(runDirectory);
        ChildProcess.KillLeftovers(runDirectory);
        var lab = new BenchLab(runDirectory, proxyDll, proxyEnvironment, BenchPki.LoadOrCreate(Path.Combine(runDirectory, "pki")));
        try
        {
            await lab.StartAllAsync(cancellationToken).ConfigureAwait(false);
            return lab;
        }
        catch
        {
            await lab.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Stops the proxy and starts a fresh process: an empty login cache (cold PBKDF2 logins) and a
    /// clean heap for the memory-per-session measurement.
    /// </summary>
    public async Task RestartProxyAsync(CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            if (_proxy is not null)
            {
                _children.Remove(_proxy);
                await _proxy.DisposeAsync().ConfigureAwait(false);
            }

            var system = Systems[MailSystem.Proxy];
            _proxy = ChildProcess.Start($"proxy-{++_proxyStarts}", _runDirectory, "dotnet", [_proxyDll, "--config", _proxyConfig], environment: new Dictionary<string, string>(_proxyEnvironment)
            {
                ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
            });
            _children.Add(_proxy);
            try
            {
                await WaitForGreetingsAsync(_proxy, system.Ports, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (InvalidOperationException) when (attempt < 3 && _proxy.HasExited && _proxy.ExitCode == ProxyExitListenerFailed)
            {
                // Another process took a port since it was checked: the proxy moves to new ones.
                system.Ports = MailPorts.Allocate(_ports);
                _proxyConfig = _writeProxyConfig(system.Ports);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        for (var i = _children.Count - 1; i >= 0; i--)
        {
            await _children[i].DisposeAsync().ConfigureAwait(false);
        }

        _children.Clear();
    }

    private async Task StartAllAsync(CancellationToken cancellationToken)
    {
        var account = RunAccount.Resolve();
        var users = BenchUsers.All.ToList();

        // The backend.
        var backendDir = Fresh("backend");
        var backendPorts = MailPorts.Allocate(_ports);
        CopyKeyPair(backendDir);
        MailStore.Write(Path.Combine(backendDir, "mail"), users);
        File.WriteAllText(Path.Combine(backendDir, "passwd"), DovecotConfigs.BackendPasswd(users));
        File.WriteAllText(Path.Combine(backendDir, "dovecot.conf"), DovecotConfigs.Backend(backendDir, backendPorts, account, Pki));
        account.TakeOwnership(backendDir);
        var backend = StartDovecot("backend", backendDir, account);
        BackendProcesses = [backend.Pid];

        // The Dovecot proxy.
        var dovecotProxyDir = Fresh("dovecot-proxy");
        var dovecotProxyPorts = MailPorts.Allocate(_ports);
        CopyKeyPair(dovecotProxyDir);
        File.WriteAllText(Path.Combine(dovecotProxyDir, "passwd"), DovecotConfigs.ProxyPasswd(users, backendPorts));
        File.WriteAllText(Path.Combine(dovecotProxyDir, "dovecot.conf"), DovecotConfigs.Proxy(dovecotProxyDir, dovecotProxyPorts, account, Pki));
        account.TakeOwnership(dovecotProxyDir);
        var dovecotProxy = StartDovecot("dovecot-proxy", dovecotProxyDir, account);

        // nginx.
        var nginxDir = Fresh("nginx");
        foreach (var temp in new[] { "body", "proxy", "fastcgi", "uwsgi", "scgi" })
        {
            System.IO.Directory.CreateDirectory(Path.Combine(nginxDir, "tmp", temp));
        }

        var nginxPorts = MailPorts.Allocate(_ports);
        var nginxConf = Path.Combine(nginxDir, "nginx.conf");
        File.WriteAllText(nginxConf, PeerConfigs.Nginx(nginxDir, nginxPorts, _ports.Next(), backendPorts, Pki, Environment.IsPrivilegedProcess));
        var nginx = Start("nginx", "nginx", ["-c", nginxConf, "-p", nginxDir]);

        // HAProxy.
        var haproxyPorts = MailPorts.Allocate(_ports);
        var haproxyConf = Path.Combine(Fresh("haproxy"), "haproxy.cfg");
        File.WriteAllText(haproxyConf, PeerConfigs.Haproxy(haproxyPorts, backendPorts));
        var haproxy = Start("haproxy", "haproxy", ["-db", "-f", haproxyConf]);

        // The proxy.
        var proxyPorts = MailPorts.Allocate(_ports);
        var proxyDir = Fresh("proxy");
        var healthPort = _ports.Next();
        _writeProxyConfig = ports => ProxyConfig.WriteAll(proxyDir, ports, healthPort, backendPorts, Pki, Path.Combine(_runDirectory, "directory.json"));
        _proxyConfig = _writeProxyConfig(proxyPorts);

        Systems = new Dictionary<string, MailSystem>
        {
            [MailSystem.Direct] = new(MailSystem.Direct, backendPorts, () => [backend.Pid]),
            [MailSystem.Proxy] = new(MailSystem.Proxy, proxyPorts, () => _proxy is { } p ? [p.Pid] : []),
            [MailSystem.Nginx] = new(MailSystem.Nginx, nginxPorts, () => [nginx.Pid]),
            [MailSystem.DovecotProxy] = new(MailSystem.DovecotProxy, dovecotProxyPorts, () => [dovecotProxy.Pid]),
            [MailSystem.Haproxy] = new(MailSystem.Haproxy, haproxyPorts, () => [haproxy.Pid]),
        };

        await WaitForGreetingsAsync(backend, backendPorts, cancellationToken).ConfigureAwait(false);
        await Task.WhenAll(
            WaitForGreetingsAsync(dovecotProxy, dovecotProxyPorts, cancellationToken),
            WaitForGreetingsAsync(nginx, nginxPorts, cancellationToken),
            WaitForGreetingsAsync(haproxy, haproxyPorts, cancellationToken),
            RestartProxyAsync(cancellationToken)).ConfigureAwait(false);
    }

    private ChildProcess StartDovecot(string name, string directory, RunAccount account)
    {
        var (fileName, arguments) = account.Command("/usr/sbin/dovecot", "-F", "-c", Path.Combine(directory, "dovecot.conf"));
        return Start(name, fileName, arguments);
    }

    private ChildProcess Start(string name, string fileName, IEnumerable<string> arguments)
    {
        var child = ChildProcess.Start(name, _runDirectory, fileName, arguments);
        _children.Add(child);
        return child;
    }

    private string Fresh(string name)
    {
        var directory = Path.Combine(_runDirectory, name);
        if (System.IO.Directory.Exists(directory))
        {
            System.IO.Directory.Delete(directory, recursive: true);
        }

        System.IO.Directory.CreateDirectory(directory);
        return directory;
    }

    private void CopyKeyPair(string directory)
    {
        File.Copy(Pki.CertificatePath, Path.Combine(directory, "cert.pem"));
        File.Copy(Pki.KeyPath, Path.Combine(directory, "key.pem"));
    }

    /// <summary>Waits until every listener of <paramref name="ports"/> greets (implicit-TLS ones after a handshake).</summary>
    private async Task WaitForGreetingsAsync(ChildProcess process, MailPorts ports, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(StartTimeout);
        foreach (var (port, tls, _) in ports.All)
        {
            while (!await GreetsAsync(port, tls, timeout.Token).ConfigureAwait(false))
            {
                if (process.HasExited)
                {
                    throw new InvalidOperationException($"{process.Name} exited during start-up; its output:\n{process.Tail()}");
                }

                if (timeout.IsCancellationRequested)
                {
                    throw new InvalidOperationException($"{process.Name} did not greet on port {port} within {StartTimeout.TotalSeconds:0} s; its output:\n{process.Tail()}");
                }

                await Task.Delay(100, CancellationToken.None).ConfigureAwait(false);
            }
        }
    }

    private async Task<bool> GreetsAsync(int port, bool tls, CancellationToken cancellationToken)
    {
        try
        {
            using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            attempt.CancelAfter(TimeSpan.FromSeconds(3));
            using var client = new TcpClient();
            await client.ConnectAsync("127.0.0.1", port, attempt.Token).ConfigureAwait(false);
            Stream stream = client.GetStream();
            if (tls)
            {
                var ssl = new SslStream(stream);
                await ssl.AuthenticateAsClientAsync(Trust.ClientOptions(), attempt.Token).ConfigureAwait(false);
                stream = ssl;
            }

            var buffer = new byte[512];
            var read = await stream.ReadAsync(buffer, attempt.Token).ConfigureAwait(false);
            var greeting = Encoding.ASCII.GetString(buffer, 0, read);
            await stream.DisposeAsync().ConfigureAwait(false);
            return greeting.StartsWith("* OK", StringComparison.Ordinal) || greeting.StartsWith("+OK", StringComparison.Ordinal);
        }
        catch (Exception e) when (e is SocketException or IOException or OperationCanceledException or System.Security.Authentication.AuthenticationException)
        {
            return false;
        }
    }
}
