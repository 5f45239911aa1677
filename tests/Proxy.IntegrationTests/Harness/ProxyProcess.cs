using System.Diagnostics;
using System.Text;
using Proxy.Core.Configuration;
using Proxy.IntegrationTests.Infrastructure;

namespace Proxy.IntegrationTests.Harness;

/// <summary>
/// The real executable (<c>dotnet Proxy.Host.dll</c>) as its own process, configured on the
/// command line with a topology and directory in a temporary folder (its content root), on
/// free loopback ports: for what only a process shows (signals, exit code, its own file
/// descriptors). Standard output and error are collected; dispose kills it if it still runs.
/// </summary>
public sealed class ProxyProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    private readonly Process _process;
    private readonly string _folder;
    private readonly StringBuilder _output = new();

    private ProxyProcess(Process process, string folder, int[] ports)
    {
        _process = process;
        _folder = folder;
        (ImapPort, ImapsPort, Pop3Port, Pop3sPort, HttpPort) = (ports[0], ports[1], ports[2], ports[3], ports[4]);
    }

    public int ImapPort { get; }

    public int ImapsPort { get; }

    public int Pop3Port { get; }

    public int Pop3sPort { get; }

    public int HttpPort { get; }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>Everything the process wrote to standard output and error so far (its console log).</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Names of the process's threads, from <c>/proc/PID/task/*/comm</c> (at most 15 characters each).</summary>
    public IReadOnlyList<string> ThreadNames => [.. Directory.EnumerateDirectories($"/proc/{_process.Id}/task")
        .Select(task => File.Exists(Path.Combine(task, "comm")) ? File.ReadAllText(Path.Combine(task, "comm")).TrimEnd('\n') : "")];

    /// <summary>Open file descriptors of the process, from <c>/proc/PID/fd</c>.</summary>
    public int OpenFileDescriptors => Directory.EnumerateFileSystemEntries($"/proc/{_process.Id}/fd").Count();

    /// <param name="settings">Configuration keys (e.g. <c>Proxy:ShutdownDrainTimeout</c>), passed as <c>--key=value</c>.</param>
    /// <param name="environment">Environment variables of the process, on top of the test's own.</param>
    public static async Task<ProxyProcess> StartAsync(
        TopologyOptions topology,
        IEnumerable<DirectoryUser> users,
        TestPki pki,
        IDictionary<string, string?>? settings = null,
        IDictionary<string, string>? environment = null)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "Proxy.Host.dll");
        Assert.True(File.Exists(dll), $"{dll} is missing");
        var folder = Directory.CreateTempSubdirectory("proxy-process-").FullName;
        await File.WriteAllTextAsync(Path.Combine(folder, "topology.json"), ProxyUnderTest.TopologyJson(topology));
        await File.WriteAllTextAsync(Path.Combine(folder, "directory.json"), ProxyUnderTest.DirectoryJson(users));

        for (var attempt = 1; ; attempt++)
        {
            var (ports, config) = TestProxySettings.Create(Path.Combine(folder, "topology.json"), Path.Combine(folder, "directory.json"), pki.CertificatePath, pki.KeyPath);
            foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
            {
                config[key] = value;
            }

            var start = new ProcessStartInfo("dotnet")
            {
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                // The content root: no appsettings.json here, so only the listeners above are bound.
                WorkingDirectory = folder,
            };
            foreach (var (name, value) in environment ?? new Dictionary<string, string>())
            {
                start.Environment[name] = value;
            }

            start.ArgumentList.Add(dll);
            foreach (var (key, value) in config)
            {
                start.ArgumentList.Add($"--{key}={value}");
            }

            var process = new Process { StartInfo = start };
            var proxy = new ProxyProcess(process, folder, ports);
            process.OutputDataReceived += (_, e) => proxy.Capture(e.Data);
            process.ErrorDataReceived += (_, e) => proxy.Capture(e.Data);
            process.Start();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            if (await proxy.WaitUntilHealthyAsync())
            {
                return proxy;
            }

            var exitCode = process.HasExited ? process.ExitCode : -1;
            var output = proxy.Output;
            await proxy.DisposeAsync(deleteFolder: false);
            // A port found free can be taken by a parallel test before the proxy binds it (exit 3): try new ones.
            if (exitCode != 3 || attempt == 3)
            {
                Directory.Delete(folder, recursive: true);
                throw new InvalidOperationException($"The proxy process did not start (exit code {exitCode}):\n{output}");
            }
        }
    }

    /// <summary>Sends SIGTERM, as systemd and Kubernetes do to stop a service.</summary>
    public async Task TerminateAsync()
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", ["-TERM", _process.Id.ToString()]) { UseShellExecute = false })!;
        await kill.WaitForExitAsync();
        Assert.Equal(0, kill.ExitCode);
    }

    /// <summary>The exit code; fails (and kills the process) when it has not ended within <paramref name="timeout"/>.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            Assert.Fail($"The proxy process did not exit within {timeout.TotalSeconds:0} s.\n{Output}");
        }

        return _process.ExitCode;
    }

    public ValueTask DisposeAsync() => DisposeAsync(deleteFolder: true);

    private async ValueTask DisposeAsync(bool deleteFolder)
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
        _process.Dispose();
        if (deleteFolder)
        {
            try
            {
                Directory.Delete(_folder, recursive: true);
            }
            catch (IOException)
            {
                // A leftover temp folder is harmless.
            }
        }
    }

    private async Task<bool> WaitUntilHealthyAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + StartTimeout;
        while (DateTime.UtcNow < deadline && !_process.HasExited)
        {
            try
            {
                using var response = await http.GetAsync($"http://127.0.0.1:{HttpPort}/health");
                if (response.IsSuccessStatusCode)
                {
                    return true;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet.
            }

            await Task.Delay(100);
        }

        return false;
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
}
