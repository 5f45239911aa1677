using Proxy.IntegrationTests.Infrastructure;
using Proxy.IntegrationTests.Ordering;

namespace Proxy.IntegrationTests.Health;

/// <summary>One real Dovecot holding alice's 2013 mailbox and carol's 2007 mailbox.</summary>
public sealed class HealthFixture : IAsyncLifetime
{
    public TestPki Pki { get; } = TestPki.Create();

    public DovecotBackend Backend { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Backend = await DovecotBackend.StartAsync(new DovecotBackendOptions
        {
            InstanceName = "health",
            Users =
            [
                new DovecotUser(Topologies.Alice, Topologies.Password, Topologies.Db2013, MessageCount: 1),
                new DovecotUser(Topologies.Carol, Topologies.Password, Topologies.Db2007, MessageCount: 1),
            ],
            Pki = Pki,
        });
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
