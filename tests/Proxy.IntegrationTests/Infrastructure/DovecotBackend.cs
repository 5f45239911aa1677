using System.Diagnostics;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;

namespace Proxy.IntegrationTests.Infrastructure;

/// <summary>
/// One real, isolated Dovecot on 127.0.0.1 free ports: its own directory holding config,
/// base_dir, state_dir, log, passwd-file, certificate and maildirs; started in the
/// foreground as a child process and killed with the directory on dispose.
/// </summary>
public sealed class DovecotBackend : IAsyncDisposable
{
    public const string Host = "127.0.0.1";

    private readonly DovecotBackendOptions _options;
    private readonly DovecotPorts _ports;
    private readonly DovecotAccount _account;
    private readonly StringBuilder _output = new();
    private Process? _process;

    private DovecotBackend(DovecotBackendOptions options, DovecotPorts ports, DovecotAccount account, string directory)
    {
        _options = options;
        _ports = ports;
        _account = account;
        DirectoryPath = directory;
    }

    public string InstanceName => _options.InstanceName;

    /// <summary>The instance's temporary directory; deleted on dispose.</summary>
    public string DirectoryPath { get; }

    public string ConfigPath => Path.Combine(DirectoryPath, "dovecot.conf");

    public string LogPath => Path.Combine(DirectoryPath, "dovecot.log");

    /// <summary>IMAP plain port (with STARTTLS unless <see cref="DovecotListeners.ImapPlainOnly"/>).</summary>
    public int ImapPort => Opened(_ports.Imap, "IMAP plain");

    public int ImapSslPort => Opened(_ports.ImapSsl, "IMAP SSL");

    /// <summary>POP3 plain port (with STLS unless <see cref="DovecotListeners.Pop3PlainOnly"/>).</summary>
    public int Pop3Port => Opened(_ports.Pop3, "POP3 plain");

    public int Pop3SslPort => Opened(_ports.Pop3Ssl, "POP3 SSL");

    public bool IsRunning => _process is { HasExited: false };

    public static async Task<DovecotBackend> StartAsync(DovecotBackendOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        Validate(options);
        if (!File.Exists(options.DovecotPath))
        {
            throw new InvalidOperationException(
                $"Dovecot is not installed ({options.DovecotPath} is missing). Run tests/run.sh, which installs it " +
                "(apt-get install dovecot-imapd dovecot-pop3d).");
        }

        var account = await DovecotAccount.GetAsync();
        var directory = Directory.CreateTempSubdirectory($"proxy-dovecot-{Sanitize(options.InstanceName)}-").FullName;
        var backend = new DovecotBackend(options, PickPorts(options.Listeners), account, directory);
        try
        {
            await backend.WriteFilesAsync();
            await backend.StartProcessAsync(cancellationToken);
            return backend;
        }
        catch
        {
            await backend.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Kills Dovecot and every process it started, like a server that crashes or is switched
    /// off (a graceful SIGTERM costs Dovecot a second). The ports stay reserved for <see cref="RestartAsync"/>.
    /// </summary>
    public async Task StopAsync()
    {
        if (_process is not { } process)
        {
            return;
        }

        _process = null;
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        process.Dispose();
    }

    /// <summary>Stops Dovecot if it runs, starts it again on the same ports and waits for every greeting.</summary>
    public async Task RestartAsync(CancellationToken cancellationToken = default)
    {
        await StopAsync();
        await StartProcessAsync(cancellationToken);
    }

    /// <summary>The last lines of the Dovecot log, for assertion messages.</summary>
    public string ReadLogTail(int lines = 40)
    {
        try
        {
            using var stream = new FileStream(LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            var all = new StreamReader(stream).ReadToEnd().Split('\n');
            return string.Join('\n', all.TakeLast(lines));
        }
        catch (IOException)
        {
            return "(no Dovecot log yet)";
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        try
        {
            Directory.Delete(DirectoryPath, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp directory must not fail a test run.
        }
    }

    private static void Validate(DovecotBackendOptions options)
    {
        var l = options.Listeners;
        if (l.HasFlag(DovecotListeners.ImapPlainOnly) && (l & (DovecotListeners.ImapStartTls | DovecotListeners.ImapSsl)) != 0)
        {
            throw new ArgumentException("ImapPlainOnly turns TLS off for all of IMAP: it cannot be combined with ImapStartTls or ImapSsl.", nameof(options));
        }

        if (l.HasFlag(DovecotListeners.Pop3PlainOnly) && (l & (DovecotListeners.Pop3StartTls | DovecotListeners.Pop3Ssl)) != 0)
        {
            throw new ArgumentException("Pop3PlainOnly turns TLS off for all of POP3: it cannot be combined with Pop3StartTls or Pop3Ssl.", nameof(options));
        }

        foreach (var user in options.Users)
        {
            if (user.Name.IndexOfAny([':', '\r', '\n', ' ']) >= 0 || user.Password.IndexOfAny([':', '\r', '\n']) >= 0)
            {
                throw new ArgumentException($"User '{user.Name}': a passwd-file cannot hold ':' or line breaks (nor spaces in the name).", nameof(options));
            }
        }
    }

    private static DovecotPorts PickPorts(DovecotListeners listeners)
    {
        var free = Ports.GetFreeTcpPorts(4);
        int PortIf(bool open, int port) => open ? port : 0;
        return new DovecotPorts(
            PortIf((listeners & (DovecotListeners.ImapStartTls | DovecotListeners.ImapPlainOnly)) != 0, free[0]),
            PortIf(listeners.HasFlag(DovecotListeners.ImapSsl), free[1]),
            PortIf((listeners & (DovecotListeners.Pop3StartTls | DovecotListeners.Pop3PlainOnly)) != 0, free[2]),
            PortIf(listeners.HasFlag(DovecotListeners.Pop3Ssl), free[3]));
    }

    private static int Opened(int port, string listener) =>
        port != 0 ? port : throw new InvalidOperationException($"The {listener} listener was not requested in DovecotBackendOptions.Listeners.");

    private static string Sanitize(string name) =>
        new(name.Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-').Take(24).ToArray());

    private async Task WriteFilesAsync()
    {
        // Dovecot reads the key as the unprivileged account: it gets its own copy.
        File.Copy(_options.Pki.CertificatePath, Path.Combine(DirectoryPath, "cert.pem"));
        File.Copy(_options.Pki.KeyPath, Path.Combine(DirectoryPath, "key.pem"));
        await File.WriteAllTextAsync(Path.Combine(DirectoryPath, "passwd"), DovecotConfig.RenderPasswd(_options.Users));
        foreach (var user in _options.Users)
        {
            Maildir.WriteInbox(Path.Combine(DirectoryPath, "mail", user.Name), user, InstanceName);
        }

        await File.WriteAllTextAsync(ConfigPath, DovecotConfig.Render(_options, _ports, DirectoryPath, _account));
        await _account.TakeOwnershipAsync(DirectoryPath);
    }

    private async Task StartProcessAsync(CancellationToken cancellationToken)
    {
        lock (_output)
        {
            _output.Clear();
        }

        var process = new Process { StartInfo = _account.CreateStartInfo(_options.DovecotPath, "-F", "-c", ConfigPath) };
        process.OutputDataReceived += (_, e) => Capture(e.Data);
        process.ErrorDataReceived += (_, e) => Capture(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.StartTimeout);
        try
        {
            var ports = new (int Port, bool Ssl)[] { (_ports.Imap, false), (_ports.ImapSsl, true), (_ports.Pop3, false), (_ports.Pop3Ssl, true) };
            foreach (var (port, ssl) in ports.Where(p => p.Port != 0))
            {
                await WaitForGreetingAsync(process, port, ssl, timeout.Token);
            }
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            var reason = process.HasExited ? $"Dovecot exited with code {process.ExitCode}"
                : e is OperationCanceledException ? $"not every listener greeted within {_options.StartTimeout.TotalSeconds:0} s"
                : e.Message;
            string output;
            lock (_output)
            {
                output = _output.ToString();
            }

            await StopAsync();
            throw new InvalidOperationException(
                $"Dovecot backend '{InstanceName}' failed to start: {reason}.\nConfig: {ConfigPath}\nOutput:\n{output}\nLog tail ({LogPath}):\n{ReadLogTail()}");
        }
    }

    private void Capture(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    private async Task WaitForGreetingAsync(Process process, int port, bool ssl, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (process.HasExited)
            {
                throw new DovecotExitedException();
            }

            try
            {
                using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                attempt.CancelAfter(TimeSpan.FromSeconds(2));
                using var client = new TcpClient();
                await client.ConnectAsync(Host, port, attempt.Token);
                Stream stream = client.GetStream();
                if (ssl)
                {
                    var tls = new SslStream(stream, leaveInnerStreamOpen: false, _options.Pki.ValidateServerCertificate);
                    await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "localhost" }, attempt.Token);
                    stream = tls;
                }

                var buffer = new byte[512];
                var read = await stream.ReadAsync(buffer, attempt.Token);
                var greeting = Encoding.ASCII.GetString(buffer, 0, read);
                if (greeting.StartsWith("* OK", StringComparison.Ordinal) || greeting.StartsWith("+OK", StringComparison.Ordinal))
                {
                    await stream.DisposeAsync();
                    return;
                }
            }
            catch (Exception e) when (e is SocketException or IOException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                // Not listening yet (or a login process still starting): try again shortly.
            }

            await Task.Delay(50, cancellationToken);
        }
    }

    private sealed class DovecotExitedException : Exception;
}
