using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Proxy.Core.Configuration;
using Proxy.Core.Directory;
using Proxy.Host;
using Proxy.IntegrationTests.Infrastructure;

namespace Proxy.IntegrationTests.Harness;

/// <summary>A user for the proxy's file directory in a test.</summary>
public sealed record DirectoryUser(string UserPrincipalName, string Password, string Database, bool Privileged = false, bool Disabled = false);

/// <summary>
/// The real proxy host (the same <see cref="ProxyHost"/> the executable runs),
/// in process, on free loopback ports, with a topology and directory written to
/// a temporary folder and every log line captured.
/// </summary>
public sealed class ProxyUnderTest : IAsyncDisposable
{
    private const string TopologyFileName = "topology.json";
    private const string DirectoryFileName = "directory.json";

    private readonly WebApplication _app;
    private readonly string _folder;

    private ProxyUnderTest(WebApplication app, string folder, LogCapture logs, int[] ports)
    {
        _app = app;
        _folder = folder;
        Logs = logs;
        (ImapPort, ImapsPort, Pop3Port, Pop3sPort, HttpPort) = (ports[0], ports[1], ports[2], ports[3], ports[4]);
    }

    public int ImapPort { get; }

    public int ImapsPort { get; }

    public int Pop3Port { get; }

    public int Pop3sPort { get; }

    public int HttpPort { get; }

    public LogCapture Logs { get; }

    public IServiceProvider Services => _app.Services;

    /// <param name="settings">Extra configuration keys (e.g. <c>Proxy:Backends:AllowPlaintext</c>), applied last.</param>
    /// <param name="configure">Runs on the host builder after the test's configuration (telemetry tests add exporters here).</param>
    public static async Task<ProxyUnderTest> StartAsync(
        TopologyOptions topology,
        IEnumerable<DirectoryUser> users,
        string certificateFile,
        string keyFile,
        IDictionary<string, string?>? settings = null,
        Action<WebApplicationBuilder>? configure = null)
    {
        var folder = Directory.CreateTempSubdirectory("proxy-test-").FullName;
        var topologyFile = Path.Combine(folder, TopologyFileName);
        await File.WriteAllTextAsync(topologyFile, TopologyJson(topology));
        var directoryFile = Path.Combine(folder, DirectoryFileName);
        await File.WriteAllTextAsync(directoryFile, DirectoryJson(users));

        for (var attempt = 1; ; attempt++)
        {
            var (ports, config) = TestProxySettings.Create(topologyFile, directoryFile, certificateFile, keyFile);
            config["Proxy:Backends:AttemptTimeout"] = "00:00:05";
            config["Proxy:Backends:TotalTimeout"] = "00:00:10";
            config["Proxy:Backends:ConnectTimeout"] = "00:00:02";

            // Probes dial backends on their own schedule, which would blur tests that count
            // connections or attempts; the health tests switch them on.
            config["Proxy:Health:Enabled"] = "false";

            // A test that stops the proxy with a session open should not wait the production 30 s for it.
            config["Proxy:ShutdownDrainTimeout"] = "00:00:05";
            foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
            {
                config[key] = value;
            }

            var logs = new LogCapture();
            var app = ProxyHost.Build([], builder =>
            {
                builder.Configuration.AddInMemoryCollection(config);
                builder.Logging.AddProvider(logs);
                builder.Logging.SetMinimumLevel(LogLevel.Debug);
                configure?.Invoke(builder);
            }, contentRoot: folder);

            var code = await ProxyHost.StartAsync(app);
            if (code == 0)
            {
                return new ProxyUnderTest(app, folder, logs, ports);
            }

            await app.DisposeAsync();
            // A port found free can be taken by a parallel test before the proxy binds it: try new ones.
            if (code != ProxyHost.ExitListenerFailed || attempt == 3)
            {
                throw new InvalidOperationException($"The proxy did not start (exit code {code}):\n{logs.AllText}");
            }
        }
    }

    /// <summary>Stops the host as SIGTERM would (the shutdown drain runs); disposing afterwards is still needed.</summary>
    public Task StopAsync() => _app.StopAsync();

    /// <summary>The topology file the proxy was started with (<c>Proxy:TopologyFile</c>).</summary>
    public string TopologyFile => Path.Combine(_folder, TopologyFileName);

    /// <summary>The directory file the proxy was started with (<c>Proxy:DirectoryFile</c>).</summary>
    public string DirectoryFile => Path.Combine(_folder, DirectoryFileName);

    /// <summary>The content root: an <c>appsettings.json</c> written here is read (below the test's own settings).</summary>
    public string ContentRoot => _folder;

    /// <summary>The topology file's content for <paramref name="topology"/>.</summary>
    public static string TopologyJson(TopologyOptions topology) => JsonSerializer.Serialize(new { Topology = topology });

    /// <summary>The directory file's content for <paramref name="users"/>.</summary>
    public static string DirectoryJson(IEnumerable<DirectoryUser> users) => JsonSerializer.Serialize(new
    {
        NetBiosDomain = "CONTOSO",
        // Few iterations keep the suite fast; the format carries the count.
        Users = users.Select(u => new
        {
            u.UserPrincipalName,
            PasswordHash = PasswordHasher.Hash(u.Password, 1000),
            u.Database,
            u.Privileged,
            u.Disabled,
        }),
    });

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
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
