using Proxy.IntegrationTests.Infrastructure;
using Proxy.IntegrationTests.Ordering;

namespace Proxy.IntegrationTests.Shutdown;

/// <summary>One real Dovecot as alice's 2013 mailbox server, with a large message last in INBOX.</summary>
public sealed class ShutdownFixture : IAsyncLifetime
{
    public const int LargeMessageBytes = 16 * 1024 * 1024;

    public TestPki Pki { get; } = TestPki.Create();

    public DovecotBackend Backend { get; private set; } = null!;

    public Proxy.Core.Configuration.TopologyOptions Topology => Topologies.Single2013(
        Pki, Topologies.Ports(Backend.ImapSslPort, Backend.ImapPort), Topologies.Ports(Backend.Pop3SslPort, Backend.Pop3Port));

    public async Task InitializeAsync() =>
        Backend = await DovecotBackend.StartAsync(new DovecotBackendOptions
        {
            InstanceName = "shutdown",
            Users = [new DovecotUser(Topologies.Alice, Topologies.Password, Topologies.Db2013, LargeMessageBytes: LargeMessageBytes)],
            Pki = Pki,
        });

    public async Task DisposeAsync()
    {
        if (Backend is not null)
        {
            await Backend.DisposeAsync();
        }

        Pki.Dispose();
    }
}
