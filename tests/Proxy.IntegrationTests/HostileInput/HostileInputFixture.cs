using Proxy.Core.Configuration;
using Proxy.IntegrationTests.Harness;
using Proxy.IntegrationTests.Infrastructure;
using Proxy.IntegrationTests.Ordering;

namespace Proxy.IntegrationTests.HostileInput;

/// <summary>
/// A real Dovecot behind the proxy for the hostile-input tests, and a second one that a
/// test kills mid-session (it is restarted afterwards). Each test starts its own proxy.
/// </summary>
public sealed class HostileInputFixture : IAsyncLifetime
{
    public TestPki Pki { get; } = TestPki.Create();

    public DovecotBackend Backend { get; private set; } = null!;

    /// <summary>Killed by the backend-dies test; nothing else uses it.</summary>
    public DovecotBackend Doomed { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        DovecotUser[] users = [new(Topologies.Alice, Topologies.Password, Topologies.Db2013, MessageCount: 1)];
        var backend = DovecotBackend.StartAsync(new DovecotBackendOptions { InstanceName = "hostile", Users = users, Pki = Pki });
        var doomed = DovecotBackend.StartAsync(new DovecotBackendOptions { InstanceName = "doomed", Users = users, Pki = Pki });
        try
        {
            await Task.WhenAll(backend, doomed);
        }
        finally
        {
            // Keep whatever started so DisposeAsync stops it even when the other failed.
            Backend = backend.IsCompletedSuccessfully ? backend.Result : null!;
            Doomed = doomed.IsCompletedSuccessfully ? doomed.Result : null!;
        }
    }

    /// <summary>A proxy whose only mailbox server (alice's) is <paramref name="backend"/> (default: <see cref="Backend"/>).</summary>
    public Task<ProxyUnderTest> StartProxyAsync(Dictionary<string, string?>? settings = null, DovecotBackend? backend = null)
    {
        var target = backend ?? Backend;
        TopologyOptions topology = Topologies.Single2013(
            Pki,
            Topologies.Ports(target.ImapSslPort, target.ImapPort),
            Topologies.Ports(target.Pop3SslPort, target.Pop3Port));
        return ProxyUnderTest.StartAsync(topology, Topologies.Users, Pki.CertificatePath, Pki.KeyPath, settings);
    }

    public async Task DisposeAsync()
    {
        if (Backend is not null)
        {
            await Backend.DisposeAsync();
        }

        if (Doomed is not null)
        {
            await Doomed.DisposeAsync();
        }

        Pki.Dispose();
    }
}
