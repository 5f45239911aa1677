using System.Globalization;
using Proxy.IntegrationTests.Infrastructure;

namespace Proxy.IntegrationTests.Harness;

/// <summary>
/// The settings every proxy a test starts shares, in process (<see cref="ProxyUnderTest"/>) or as its
/// own process (<see cref="ProxyProcess"/>): free loopback ports for IMAP (plain + STARTTLS), IMAPS,
/// POP3, POP3S and HTTP, the test's topology, directory and certificate, and the per-address and
/// per-user limits and brute-force protection out of the way (every test connects from 127.0.0.1
/// and shares a proxy across many logins, wrong passwords included; Limits/ turns them on itself).
/// </summary>
internal static class TestProxySettings
{
    /// <summary>Ports in the order ImapPort, ImapsPort, Pop3Port, Pop3sPort, HttpPort, and the settings that bind them.</summary>
    public static (int[] Ports, Dictionary<string, string?> Settings) Create(string topologyFile, string directoryFile, string certificateFile, string keyFile)
    {
        var ports = Enumerable.Range(0, 5).Select(_ => Ports.GetFreeTcpPort()).ToArray();
        string Port(int i) => ports[i].ToString(CultureInfo.InvariantCulture);
        var settings = new Dictionary<string, string?>
        {
            ["Urls"] = $"http://127.0.0.1:{Port(4)}",
            ["Proxy:ServerName"] = "TEST-PROXY",
            ["Proxy:TopologyFile"] = topologyFile,
            ["Proxy:DirectoryFile"] = directoryFile,
            ["Proxy:Tls:CertificateFile"] = certificateFile,
            ["Proxy:Tls:KeyFile"] = keyFile,
            ["Proxy:Imap:Listeners:0:Address"] = "127.0.0.1",
            ["Proxy:Imap:Listeners:0:Port"] = Port(0),
            ["Proxy:Imap:Listeners:1:Address"] = "127.0.0.1",
            ["Proxy:Imap:Listeners:1:Port"] = Port(1),
            ["Proxy:Imap:Listeners:1:ImplicitTls"] = "true",
            ["Proxy:Pop3:Listeners:0:Address"] = "127.0.0.1",
            ["Proxy:Pop3:Listeners:0:Port"] = Port(2),
            ["Proxy:Pop3:Listeners:1:Address"] = "127.0.0.1",
            ["Proxy:Pop3:Listeners:1:Port"] = Port(3),
            ["Proxy:Pop3:Listeners:1:ImplicitTls"] = "true",
            ["Proxy:Imap:MaxConnectionFromSingleIP"] = "1000",
            ["Proxy:Pop3:MaxConnectionFromSingleIP"] = "1000",
            ["Proxy:Imap:MaxConnectionsPerUser"] = "1000",
            ["Proxy:Pop3:MaxConnectionsPerUser"] = "1000",
            ["Proxy:BruteForce:Enabled"] = "false",
        };
        return (ports, settings);
    }
}
