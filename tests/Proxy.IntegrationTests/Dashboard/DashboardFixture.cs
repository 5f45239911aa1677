using Proxy.Core.Configuration;
using Proxy.IntegrationTests.Harness;
using Proxy.IntegrationTests.Infrastructure;
using Proxy.IntegrationTests.Ordering;

namespace Proxy.IntegrationTests.Dashboard;

/// <summary>
/// Two real Dovecots, one per site: HQ (the proxy's own site) holds alice's 2013 mailbox on
/// HQ-MBX2013, Branch holds bob's on BR-MBX2013, so bob is refused cross-site (event 1008).
/// Started once for every class of the collection; a test that stops one restarts it.
/// </summary>
public sealed class DashboardFixture : IAsyncLifetime
{
    public const string HqServer = "HQ-MBX2013";
    public const string BranchServer = "BR-MBX2013";
    public const string Branch = "Branch";
    public const string Bob = "bob@contoso.lab";
    public const string BranchDb = "BR-DB2013";

    public TestPki Pki { get; } = TestPki.Create();

    public DovecotBackend Hq { get; private set; } = null!;

    public DovecotBackend BranchBackend { get; private set; } = null!;

    public static IReadOnlyList<DirectoryUser> Users { get; } =
    [
        new(Topologies.Alice, Topologies.Password, Topologies.Db2013),
        new(Bob, Topologies.Password, BranchDb),
    ];

    public TopologyOptions Topology()
    {
        var hq = Topologies.Server(HqServer, "2013", "Both", Pki, Topologies.Ports(Hq.ImapSslPort, Hq.ImapPort), Topologies.Ports(Hq.Pop3SslPort, Hq.Pop3Port));
        var branch = Topologies.Server(BranchServer, "2013", "Both", Pki,
            Topologies.Ports(BranchBackend.ImapSslPort, BranchBackend.ImapPort), Topologies.Ports(BranchBackend.Pop3SslPort, BranchBackend.Pop3Port));
        branch.Site = Branch;
        var topology = Topologies.Create([hq, branch], (Topologies.Db2013, HqServer), (BranchDb, BranchServer));
        topology.Sites = [Topologies.Site, Branch];
        return topology;
    }

    public Task<ProxyUnderTest> StartProxyAsync(IDictionary<string, string?>? settings = null, Action<Microsoft.AspNetCore.Builder.WebApplicationBuilder>? configure = null) =>
        ProxyUnderTest.StartAsync(Topology(), Users, Pki.CertificatePath, Pki.KeyPath, settings, configure);

    public async Task InitializeAsync()
    {
        Hq = await DovecotBackend.StartAsync(new DovecotBackendOptions
        {
            InstanceName = "dashboard-hq",
            Users = [new DovecotUser(Topologies.Alice, Topologies.Password, Topologies.Db2013, MessageCount: 1)],
            Pki = Pki,
        });
        BranchBackend = await DovecotBackend.StartAsync(new DovecotBackendOptions
        {
            InstanceName = "dashboard-branch",
            Users = [new DovecotUser(Bob, Topologies.Password, BranchDb, MessageCount: 1)],
            Pki = Pki,
        });
    }

    public async Task DisposeAsync()
    {
        if (Hq is not null)
        {
            await Hq.DisposeAsync();
        }

        if (BranchBackend is not null)
        {
            await BranchBackend.DisposeAsync();
        }

        Pki.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class DashboardCollection : ICollectionFixture<DashboardFixture>
{
    public const string Name = "Dashboard";
}
