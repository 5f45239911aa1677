using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Proxy.Core.Configuration;
using Proxy.Core.Directory;
using Proxy.Host;
using Proxy.IntegrationTests.Harness;
using Proxy.IntegrationTests.Infrastructure;

namespace Proxy.IntegrationTests.Host;

/// <summary>
/// One start of the real host (<see cref="ProxyHost.Build"/> + <see cref="ProxyHost.StartAsync"/>)
/// whose exit code is the point: unlike <see cref="ProxyUnderTest"/> a refusal to start is
/// an outcome, not an error. A valid baseline configuration is written; settings override it.
/// </summary>
public static class HostAttempt
{
    public sealed record Outcome(int ExitCode, LogCapture Logs);

    /// <param name="topology">Written as the topology file; defaults to one 2013 server on closed ports.</param>
    public static async Task<Outcome> StartAsync(TestPki pki, IDictionary<string, string?> settings, TopologyOptions? topology = null)
    {
        var folder = Directory.CreateTempSubdirectory("proxy-host-test-").FullName;
        try
        {
            var topologyFile = Path.Combine(folder, "topology.json");
            await File.WriteAllTextAsync(topologyFile, JsonSerializer.Serialize(new { Topology = topology ?? ValidTopology() }));
            var directoryFile = Path.Combine(folder, "directory.json");
            await File.WriteAllTextAsync(directoryFile, JsonSerializer.Serialize(new
            {
                NetBiosDomain = "CONTOSO",
                Users = new[] { new { UserPrincipalName = "alice@contoso.lab", PasswordHash = PasswordHasher.Hash("Passw0rd!", 1000), Database = "HQ-DB2013", Privileged = false } },
            }));

            var config = new Dictionary<string, string?>
            {
                ["Urls"] = $"http://127.0.0.1:{Ports.GetFreeTcpPort()}",
                ["Proxy:ServerName"] = "TEST-PROXY",
                ["Proxy:TopologyFile"] = topologyFile,
                ["Proxy:DirectoryFile"] = directoryFile,
                ["Proxy:Tls:CertificateFile"] = pki.CertificatePath,
                ["Proxy:Tls:KeyFile"] = pki.KeyPath,
                ["Proxy:Imap:Listeners:0:Address"] = "127.0.0.1",
                ["Proxy:Imap:Listeners:0:Port"] = Ports.GetFreeTcpPort().ToString(),
            };
            foreach (var (key, value) in settings)
            {
                config[key] = value;
            }

            var logs = new LogCapture();
            var app = ProxyHost.Build([], builder =>
            {
                builder.Configuration.AddInMemoryCollection(config);
                builder.Logging.AddProvider(logs);
                builder.Logging.SetMinimumLevel(LogLevel.Debug);
            }, contentRoot: folder);
            await using (app)
            {
                var code = await ProxyHost.StartAsync(app);
                if (code == 0)
                {
                    await app.StopAsync();
                }

                return new Outcome(code, logs);
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    public static TopologyOptions ValidTopology() => new()
    {
        LocalSite = "HQ",
        Sites = ["HQ"],
        Servers =
        [
            new ServerOptions
            {
                Name = "HQ-MBX2013",
                Host = "127.0.0.1",
                Site = "HQ",
                Version = "2013",
                Imap = new ProtocolPortsOptions { SslPort = Ports.GetFreeTcpPort() },
            },
        ],
        Databases = [new DatabaseOptions { Name = "HQ-DB2013", Server = "HQ-MBX2013" }],
    };

    /// <summary>Holds a loopback port so that nothing else can bind it.</summary>
    public static TcpListener OccupyPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return listener;
    }
}
