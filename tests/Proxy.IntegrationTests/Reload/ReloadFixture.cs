using Proxy.Core.Configuration;
using Proxy.IntegrationTests.Harness;
using Proxy.IntegrationTests.Infrastructure;

namespace Proxy.IntegrationTests.Reload;

/// <summary>
/// Two Dovecot servers that both hold Alice's mailbox, so a move is visible: the first
/// message says which instance serves it ("served by RELOAD-A" / "served by RELOAD-B").
/// Topology: in site HQ, MBX-A holds DB1 and MBX-B holds DB2; in site Branch, MBX-BR
/// (the RELOAD-B instance again) holds BR-DB with Dave's mailbox. Each test starts its own
/// proxy, because each edits that proxy's files.
/// </summary>
public sealed class ReloadFixture : IAsyncLifetime
{
    public const string Password = "Passw0rd!";
    public const string Alice = "alice@contoso.lab";
    public const string Dave = "dave@contoso.lab";

    /// <summary>Only the password-change test logs in as Grace, and it changes her password.</summary>
    public const string Grace = "grace@contoso.lab";

    public const string InstanceA = "RELOAD-A";
    public const string InstanceB = "RELOAD-B";

    public TestPki Pki { get; } = TestPki.Create();

    public DovecotBackend ServerA { get; private set; } = null!;

    public DovecotBackend ServerB { get; private set; } = null!;

    /// <summary>The directory every proxy starts with.</summary>
    public IReadOnlyList<DirectoryUser> Users { get; } =
    [
        new(Alice, Password, "DB1"),
        new(Grace, Password, "DB1"),
        new(Dave, Password, "BR-DB"),
    ];

    public async Task InitializeAsync()
    {
        var started = await Task.WhenAll(
            DovecotBackend.StartAsync(new DovecotBackendOptions
            {
                InstanceName = InstanceA,
                Users = [new DovecotUser(Alice, Password, "DB1"), new DovecotUser(Grace, Password, "DB1")],
                Pki = Pki,
            }),
            DovecotBackend.StartAsync(new DovecotBackendOptions
            {
                InstanceName = InstanceB,
                Users = [new DovecotUser(Alice, Password, "DB2"), new DovecotUser(Dave, Password, "BR-DB")],
                Pki = Pki,
            }));
        (ServerA, ServerB) = (started[0], started[1]);
    }

    public Task<ProxyUnderTest> StartProxyAsync(IDictionary<string, string?>? settings = null) =>
        ProxyUnderTest.StartAsync(Topology(), Users, Pki.CertificatePath, Pki.KeyPath, settings);

    /// <param name="db1Server">The server holding DB1's active copy.</param>
    public TopologyOptions Topology(string db1Server = "MBX-A") => new()
    {
        LocalSite = "HQ",
        Sites = ["HQ", "Branch"],
        Servers = [Server("MBX-A", "HQ", ServerA), Server("MBX-B", "HQ", ServerB), Server("MBX-BR", "Branch", ServerB)],
        Databases =
        [
            new() { Name = "DB1", Server = db1Server },
            new() { Name = "DB2", Server = "MBX-B" },
            new() { Name = "BR-DB", Server = "MBX-BR" },
        ],
    };

    public async Task DisposeAsync()
    {
        foreach (var server in new[] { ServerA, ServerB })
        {
            if (server is not null)
            {
                await server.DisposeAsync();
            }
        }

        Pki.Dispose();
    }

    private ServerOptions Server(string name, string site, DovecotBackend backend) => new()
    {
        Name = name,
        Host = DovecotBackend.Host,
        Site = site,
        Version = "2013",
        Imap = new() { SslPort = backend.ImapSslPort, PlainPort = backend.ImapPort },
        Pop3 = new() { SslPort = backend.Pop3SslPort, PlainPort = backend.Pop3Port },
        Tls = new() { CaFile = Pki.CaCertificatePath },
    };
}

[CollectionDefinition(Name)]
public sealed class ReloadCollection : ICollectionFixture<ReloadFixture>
{
    public const string Name = "Reload";
}
