using Proxy.IntegrationTests.Infrastructure;

namespace Proxy.IntegrationTests.Ordering;

/// <summary>
/// Two real Dovecots standing in for two Client Access servers of one site. Both hold
/// carol's 2007 mailbox; the first also holds dave's 2010 mailbox.
/// </summary>
public sealed class ClientAccessFixture : IAsyncLifetime
{
    public TestPki Pki { get; } = TestPki.Create();

    public DovecotBackend CasA { get; private set; } = null!;

    public DovecotBackend CasB { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        DovecotUser carol = new(Topologies.Carol, Topologies.Password, Topologies.Db2007, MessageCount: 1);
        DovecotUser dave = new(Topologies.Dave, Topologies.Password, Topologies.Db2010, MessageCount: 1);
        var a = DovecotBackend.StartAsync(new DovecotBackendOptions { InstanceName = "cas-a", Users = [carol, dave], Pki = Pki });
        var b = DovecotBackend.StartAsync(new DovecotBackendOptions { InstanceName = "cas-b", Users = [carol], Pki = Pki });
        try
        {
            await Task.WhenAll(a, b);
        }
        finally
        {
            // Keep whatever started so DisposeAsync stops it even when the other failed.
            CasA = a.IsCompletedSuccessfully ? a.Result : null!;
            CasB = b.IsCompletedSuccessfully ? b.Result : null!;
        }
    }

    public async Task DisposeAsync()
    {
        if (CasA is not null)
        {
            await CasA.DisposeAsync();
        }

        if (CasB is not null)
        {
            await CasB.DisposeAsync();
        }

        Pki.Dispose();
    }
}
