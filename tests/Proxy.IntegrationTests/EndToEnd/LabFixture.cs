using Proxy.Core.Configuration;
using Proxy.IntegrationTests.Harness;
using Proxy.IntegrationTests.Infrastructure;
using static Proxy.IntegrationTests.EndToEnd.LabUsers;

namespace Proxy.IntegrationTests.EndToEnd;

/// <summary>
/// The lab of samples/lab on free ports: Dovecot instances for HQ-MBX2013, HQ-MBX2010
/// (behind HQ-CAS2010's InternalConnectionSettings), HQ-CAS2007A/B (each its own copy of
/// HQ-DB2007) and BR-MBX2010 (behind BR-CAS2010 in site Branch), with the proxy in site HQ
/// in front. A second proxy over the same backends allows cross-site IMAP sessions.
/// </summary>
public sealed class LabFixture : IAsyncLifetime
{
    private readonly List<DovecotBackend> _backends = [];

    public TestPki Pki { get; } = TestPki.Create();

    /// <summary>The lab's proxy with default settings.</summary>
    public ProxyUnderTest Proxy { get; private set; } = null!;

    /// <summary>Same backends, <c>Proxy:Imap:AllowCrossSiteSessions=true</c>.</summary>
    public ProxyUnderTest CrossSiteProxy { get; private set; } = null!;

    public DovecotBackend Mbx2013 { get; private set; } = null!;

    public DovecotBackend Mbx2010 { get; private set; } = null!;

    public DovecotBackend Cas2007A { get; private set; } = null!;

    public DovecotBackend Cas2007B { get; private set; } = null!;

    public DovecotBackend BranchMbx2010 { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        // Dovecot instances start in parallel: each waits about a second for its greetings.
        var started = await Task.WhenAll(
            StartBackendAsync("HQ-MBX2013",
                new DovecotUser(Alice, Password, HqDb2013),
                new DovecotUser(Administrator, Password, HqDb2013),
                new DovecotUser(Erin, ErinPassword, HqDb2013),
                new DovecotUser(Big, Password, HqDb2013, LargeMessageBytes: LargeMessageBytes),
                new DovecotUser(Frank, Password, HqDb2013)),
            StartBackendAsync("HQ-MBX2010", new DovecotUser(Bob, Password, HqDb2010)),
            StartBackendAsync("HQ-CAS2007A", new DovecotUser(Carol, Password, HqDb2007)),
            StartBackendAsync("HQ-CAS2007B", new DovecotUser(Carol, Password, HqDb2007)),
            StartBackendAsync("BR-MBX2010", new DovecotUser(Dave, Password, BrDb2010)));
        (Mbx2013, Mbx2010, Cas2007A, Cas2007B, BranchMbx2010) = (started[0], started[1], started[2], started[3], started[4]);

        Proxy = await StartProxyAsync();
        CrossSiteProxy = await StartProxyAsync(new Dictionary<string, string?> { ["Proxy:Imap:AllowCrossSiteSessions"] = "true" });
    }

    /// <summary>Another proxy over the lab's backends and users; the caller disposes it.</summary>
    public Task<ProxyUnderTest> StartProxyAsync(IDictionary<string, string?>? settings = null)
    {
        DirectoryUser[] users =
        [
            new(Alice, Password, HqDb2013),
            new(Bob, Password, HqDb2010),
            new(Carol, Password, HqDb2007),
            new(Dave, Password, BrDb2010),
            new(Administrator, Password, HqDb2013, Privileged: true),
            new(Erin, ErinPassword, HqDb2013),
            new(Big, Password, HqDb2013),
            new(Frank, Password, HqDb2013),
        ];
        return ProxyUnderTest.StartAsync(Topology(), users, Pki.CertificatePath, Pki.KeyPath, settings);
    }

    public async Task DisposeAsync()
    {
        foreach (var proxy in new[] { Proxy, CrossSiteProxy })
        {
            if (proxy is not null)
            {
                await proxy.DisposeAsync();
            }
        }

        foreach (var backend in _backends)
        {
            await backend.DisposeAsync();
        }

        Pki.Dispose();
    }

    private async Task<DovecotBackend> StartBackendAsync(string instanceName, params DovecotUser[] users)
    {
        var backend = await DovecotBackend.StartAsync(new DovecotBackendOptions { InstanceName = instanceName, Users = users, Pki = Pki });
        lock (_backends)
        {
            _backends.Add(backend);
        }

        return backend;
    }

    /// <summary>samples/lab/topology.template.json with this run's ports.</summary>
    private TopologyOptions Topology() => new()
    {
        LocalSite = "HQ",
        Sites = ["HQ", "Branch"],
        Servers =
        [
            Server("HQ-MBX2013", "HQ", "2013", ["Mailbox", "ClientAccess"], Mbx2013),
            Server("HQ-MBX2010", "HQ", "2010", ["Mailbox"]),
            InternalSettings(Server("HQ-CAS2010", "HQ", "2010", ["ClientAccess"]), Mbx2010),
            Server("HQ-MBX2007", "HQ", "2007", ["Mailbox"]),
            Server("HQ-CAS2007A", "HQ", "2007", ["ClientAccess"], Cas2007A),
            Server("HQ-CAS2007B", "HQ", "2007", ["ClientAccess"], Cas2007B),
            Server("BR-MBX2010", "Branch", "2010", ["Mailbox"]),
            InternalSettings(Server("BR-CAS2010", "Branch", "2010", ["ClientAccess"]), BranchMbx2010),
        ],
        Databases =
        [
            new() { Name = HqDb2013, Server = "HQ-MBX2013" },
            new() { Name = HqDb2010, Server = "HQ-MBX2010" },
            new() { Name = HqDb2007, Server = "HQ-MBX2007" },
            new() { Name = BrDb2010, Server = "BR-MBX2010" },
        ],
    };

    private ServerOptions Server(string name, string site, string version, List<string> roles, DovecotBackend? ports = null) => new()
    {
        Name = name,
        Host = DovecotBackend.Host,
        Site = site,
        Version = version,
        Roles = roles,
        Imap = ports is null ? new() : new() { SslPort = ports.ImapSslPort, PlainPort = ports.ImapPort, StartTls = true },
        Pop3 = ports is null ? new() : new() { SslPort = ports.Pop3SslPort, PlainPort = ports.Pop3Port, StartTls = true },
        Tls = new() { CaFile = Pki.CaCertificatePath },
    };

    private static ServerOptions InternalSettings(ServerOptions cas, DovecotBackend mailbox)
    {
        cas.ImapInternalConnectionSettings = [$"{DovecotBackend.Host}:{mailbox.ImapSslPort}:SSL", $"{DovecotBackend.Host}:{mailbox.ImapPort}:TLS"];
        cas.Pop3InternalConnectionSettings = [$"{DovecotBackend.Host}:{mailbox.Pop3SslPort}:SSL", $"{DovecotBackend.Host}:{mailbox.Pop3Port}:TLS"];
        return cas;
    }
}
