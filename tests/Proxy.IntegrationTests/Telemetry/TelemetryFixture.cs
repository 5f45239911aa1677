using Microsoft.AspNetCore.Builder;
using Proxy.Core.Configuration;
using Proxy.IntegrationTests.Harness;
using Proxy.IntegrationTests.Infrastructure;
using Proxy.IntegrationTests.Ordering;

namespace Proxy.IntegrationTests.Telemetry;

/// <summary>
/// One real Dovecot for the telemetry tests, serving two sites' mailboxes: alice's in the
/// proxy's site HQ, dave's in site Branch (a cross-site refusal). Each test starts its own
/// proxy, so its counters start at zero and nothing else moves them.
/// </summary>
public sealed class TelemetryFixture : IAsyncLifetime
{
    /// <summary>Distinctive, so a search for it in exported telemetry cannot miss or hit by chance.</summary>
    public const string Password = "Tr4ce-S3cret-7x";

    public const string Alice = "alice@contoso.lab";
    public const string Dave = "dave@contoso.lab";
    public const string HqServer = "HQ-MBX2013";
    public const string BranchServer = "BR-MBX2013";

    private const string HqDatabase = "HQ-DB2013";
    private const string BranchDatabase = "BR-DB2013";

    public TestPki Pki { get; } = TestPki.Create();

    public DovecotBackend Backend { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Backend = await DovecotBackend.StartAsync(new DovecotBackendOptions
        {
            InstanceName = "telemetry",
            Pki = Pki,
            Users = [new DovecotUser(Alice, Password, HqDatabase), new DovecotUser(Dave, Password, BranchDatabase)],
        });
    }

    /// <summary>
    /// A proxy in site HQ. <paramref name="deadSslPort"/>: HQ-MBX2013's SSL port is a closed one,
    /// so an encrypted client's first attempt fails and STARTTLS on the plain port follows.
    /// </summary>
    public Task<ProxyUnderTest> StartProxyAsync(bool deadSslPort = false, IDictionary<string, string?>? settings = null, Action<WebApplicationBuilder>? configure = null)
    {
        var hq = Topologies.Server(HqServer, "2013", "Both", Pki,
            Topologies.Ports(deadSslPort ? FaultyBackend.ClosedPort() : Backend.ImapSslPort, Backend.ImapPort),
            Topologies.Ports(deadSslPort ? FaultyBackend.ClosedPort() : Backend.Pop3SslPort, Backend.Pop3Port));
        var branch = Topologies.Server(BranchServer, "2013", "Both", Pki,
            Topologies.Ports(Backend.ImapSslPort, Backend.ImapPort),
            Topologies.Ports(Backend.Pop3SslPort, Backend.Pop3Port));
        branch.Site = "Branch";
        var topology = new TopologyOptions
        {
            LocalSite = "HQ",
            Sites = ["HQ", "Branch"],
            Servers = [hq, branch],
            Databases = [new() { Name = HqDatabase, Server = HqServer }, new() { Name = BranchDatabase, Server = BranchServer }],
        };
        DirectoryUser[] users = [new(Alice, Password, HqDatabase), new(Dave, Password, BranchDatabase)];
        return ProxyUnderTest.StartAsync(topology, users, Pki.CertificatePath, Pki.KeyPath, settings, configure);
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
