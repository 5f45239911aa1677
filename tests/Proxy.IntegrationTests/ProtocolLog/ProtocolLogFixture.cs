using Proxy.Core.Configuration;
using Proxy.IntegrationTests.Harness;
using Proxy.IntegrationTests.Infrastructure;
using Proxy.IntegrationTests.Ordering;

namespace Proxy.IntegrationTests.ProtocolLog;

/// <summary>
/// One real Dovecot for the protocol log tests: alice's mailbox in the proxy's site HQ, dave's in
/// site Branch (a cross-site refusal). Each test starts its own proxy, so its log holds only its sessions.
/// </summary>
public sealed class ProtocolLogFixture : IAsyncLifetime
{
    /// <summary>Distinctive, so a search of every byte of the log folder cannot miss it or hit by chance.</summary>
    public const string Password = "Pl0g-Zebra-Quokka-93";

    public const string Alice = "alice@contoso.lab";
    public const string Dave = "dave@contoso.lab";

    private const string HqDatabase = "HQ-DB2013";
    private const string BranchDatabase = "BR-DB2013";

    public TestPki Pki { get; } = TestPki.Create();

    public DovecotBackend Backend { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Backend = await DovecotBackend.StartAsync(new DovecotBackendOptions
        {
            InstanceName = "protocol-log",
            Pki = Pki,
            Users = [new DovecotUser(Alice, Password, HqDatabase), new DovecotUser(Dave, Password, BranchDatabase)],
        });
    }

    public Task<ProxyUnderTest> StartProxyAsync(IDictionary<string, string?>? settings = null)
    {
        var hq = Topologies.Server("HQ-MBX2013", "2013", "Both", Pki,
            Topologies.Ports(Backend.ImapSslPort, Backend.ImapPort),
            Topologies.Ports(Backend.Pop3SslPort, Backend.Pop3Port));
        var branch = Topologies.Server("BR-MBX2013", "2013", "Both", Pki,
            Topologies.Ports(Backend.ImapSslPort, Backend.ImapPort),
            Topologies.Ports(Backend.Pop3SslPort, Backend.Pop3Port));
        branch.Site = "Branch";
        var topology = new TopologyOptions
        {
            LocalSite = "HQ",
            Sites = ["HQ", "Branch"],
            Servers = [hq, branch],
            Databases = [new() { Name = HqDatabase, Server = "HQ-MBX2013" }, new() { Name = BranchDatabase, Server = "BR-MBX2013" }],
        };
        DirectoryUser[] users = [new(Alice, Password, HqDatabase), new(Dave, Password, BranchDatabase)];
        return ProxyUnderTest.StartAsync(topology, users, Pki.CertificatePath, Pki.KeyPath, settings);
    }

    public async Task DisposeAsync()
    {
        if (Backend is not null)
        {
            await Backend.DisposeAsync();
        }

        Pki.Dispose();
    }
}
