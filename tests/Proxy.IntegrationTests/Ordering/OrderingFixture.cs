using Proxy.IntegrationTests.Infrastructure;

namespace Proxy.IntegrationTests.Ordering;

/// <summary>
/// Two real Dovecots shared by the ordering tests: one like a lab server (SSL and
/// STARTTLS ports) and one that offers no TLS at all (plaintext ports only).
/// Each test starts its own proxy with the topology it needs.
/// </summary>
public sealed class OrderingFixture : IAsyncLifetime
{
    public TestPki Pki { get; } = TestPki.Create();

    /// <summary>SSL and STARTTLS ports for IMAP and POP3.</summary>
    public DovecotBackend Full { get; private set; } = null!;

    /// <summary>Plain IMAP and POP3 ports without STARTTLS/STLS, plaintext login allowed.</summary>
    public DovecotBackend PlainOnly { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        DovecotUser[] users = [new(Topologies.Alice, Topologies.Password, Topologies.Db2013, MessageCount: 1)];
        var full = DovecotBackend.StartAsync(new DovecotBackendOptions { InstanceName = "ordering-full", Users = users, Pki = Pki });
        var plain = DovecotBackend.StartAsync(new DovecotBackendOptions
        {
            InstanceName = "ordering-plain",
            Users = users,
            Pki = Pki,
            Listeners = DovecotListeners.ImapPlainOnly | DovecotListeners.Pop3PlainOnly,
            AllowPlaintextAuth = true,
        });
        try
        {
            await Task.WhenAll(full, plain);
        }
        finally
        {
            // Keep whatever started so DisposeAsync stops it even when the other failed.
            Full = full.IsCompletedSuccessfully ? full.Result : null!;
            PlainOnly = plain.IsCompletedSuccessfully ? plain.Result : null!;
        }
    }

    public async Task DisposeAsync()
    {
        if (Full is not null)
        {
            await Full.DisposeAsync();
        }

        if (PlainOnly is not null)
        {
            await PlainOnly.DisposeAsync();
        }

        Pki.Dispose();
    }
}
