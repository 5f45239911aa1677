using Proxy.Core.Configuration;
using Proxy.IntegrationTests.Harness;
using Proxy.IntegrationTests.Infrastructure;
using Proxy.IntegrationTests.Ordering;

namespace Proxy.IntegrationTests.BackendHygiene;

/// <summary>
/// One real Dovecot for the backend-hygiene tests, on plaintext ports (the proxy is allowed
/// plaintext to it, so what crosses can be inspected and rewritten): it trusts 127.0.0.0/8
/// (login_trusted_networks), so the proxy may tell it the client's address; and a
/// <see cref="PlainMechanismHider"/> in front of it makes the proxy log in with the IMAP LOGIN
/// command and POP3 USER/PASS, where crafted credentials could break a careless command.
/// </summary>
public sealed class BackendHygieneFixture : IAsyncLifetime
{
    /// <summary>Quotes, a backslash, a literal marker and a command: Dovecot and the directory agree on it.</summary>
    public const string MalloryPassword = "p\" \"x\\ {5} a LOGOUT";

    /// <summary>8-bit and specials: sent as a literal.</summary>
    public const string OscarPassword = "p\u00e4\"ss{5}\\w\u00f6rd";

    /// <summary>
    /// What the proxy's directory holds for trudy: were it pasted into a LOGIN command unquoted,
    /// the backend would read a second LOGIN as alice. Dovecot holds another password for her.
    /// </summary>
    public const string TrudyDirectoryPassword = "x\" LOGIN \"alice@contoso.lab\" \"Passw0rd!";

    public const string Mallory = "mallory@contoso.lab";
    public const string Oscar = "oscar@contoso.lab";
    public const string Trudy = "trudy@contoso.lab";

    public TestPki Pki { get; } = TestPki.Create();

    public DovecotBackend Backend { get; private set; } = null!;

    public DovecotLog Log { get; private set; } = null!;

    /// <summary>Dovecot's IMAP port without AUTH=PLAIN.</summary>
    public PlainMechanismHider ImapWithoutPlain { get; private set; } = null!;

    /// <summary>Dovecot's POP3 port without SASL PLAIN.</summary>
    public PlainMechanismHider Pop3WithoutPlain { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Backend = await DovecotBackend.StartAsync(new DovecotBackendOptions
        {
            InstanceName = "hygiene",
            Pki = Pki,
            Listeners = DovecotListeners.ImapPlainOnly | DovecotListeners.Pop3PlainOnly,
            AllowPlaintextAuth = true,
            LoginTrustedNetworks = "127.0.0.0/8",
            Users =
            [
                new(Topologies.Alice, Topologies.Password, Topologies.Db2013, MessageCount: 1),
                new(Mallory, MalloryPassword, Topologies.Db2013, MessageCount: 1),
                new(Oscar, OscarPassword, Topologies.Db2013, MessageCount: 1),
                new(Trudy, "Trudy-real-1", Topologies.Db2013, MessageCount: 1),
            ],
        });
        Log = new DovecotLog(Backend);
        ImapWithoutPlain = PlainMechanismHider.Start(Backend.ImapPort);
        Pop3WithoutPlain = PlainMechanismHider.Start(Backend.Pop3Port);
    }

    /// <summary>
    /// A proxy in front of the Dovecot (plaintext to it allowed). <paramref name="hidePlain"/>: through
    /// the <see cref="PlainMechanismHider"/>s; <paramref name="forwardClientAddress"/> sets the server's ForwardClientAddress.
    /// </summary>
    public Task<ProxyUnderTest> StartProxyAsync(bool hidePlain, bool forwardClientAddress = false, IDictionary<string, string?>? settings = null)
    {
        TopologyOptions topology = Topologies.Single2013(
            Pki,
            Topologies.Ports(null, hidePlain ? ImapWithoutPlain.Port : Backend.ImapPort, startTls: false),
            Topologies.Ports(null, hidePlain ? Pop3WithoutPlain.Port : Backend.Pop3Port, startTls: false));
        topology.Servers[0].ForwardClientAddress = forwardClientAddress;
        DirectoryUser[] users =
        [
            new(Topologies.Alice, Topologies.Password, Topologies.Db2013),
            new(Mallory, MalloryPassword, Topologies.Db2013),
            new(Oscar, OscarPassword, Topologies.Db2013),
            new(Trudy, TrudyDirectoryPassword, Topologies.Db2013),
        ];
        var all = new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>()) { ["Proxy:Backends:AllowPlaintext"] = "true" };
        return ProxyUnderTest.StartAsync(topology, users, Pki.CertificatePath, Pki.KeyPath, all);
    }

    public async Task DisposeAsync()
    {
        if (ImapWithoutPlain is not null)
        {
            await ImapWithoutPlain.DisposeAsync();
        }

        if (Pop3WithoutPlain is not null)
        {
            await Pop3WithoutPlain.DisposeAsync();
        }

        if (Backend is not null)
        {
            await Backend.DisposeAsync();
        }

        Pki.Dispose();
    }
}
