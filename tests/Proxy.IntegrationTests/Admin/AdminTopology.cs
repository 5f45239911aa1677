using Proxy.Core.Configuration;
using Proxy.IntegrationTests.Harness;
using Proxy.IntegrationTests.Ordering;

namespace Proxy.IntegrationTests.Admin;

/// <summary>
/// The <see cref="ClientAccessFixture"/>'s Dovecots as a site: carol's 2007 mailbox behind
/// HQ-CAS2007A (cas-a) and, unless left out, HQ-CAS2007B (cas-b); dave's 2010 mailbox behind
/// HQ-CAS2010, whose InternalConnectionSettings point at cas-a.
/// </summary>
internal static class AdminTopology
{
    public const string CasA = "HQ-CAS2007A";
    public const string CasB = "HQ-CAS2007B";
    public const string Cas2010 = "HQ-CAS2010";

    public static TopologyOptions Create(ClientAccessFixture fixture, bool withCasB = true)
    {
        var cas2010 = Topologies.Server(Cas2010, "2010", "ClientAccess", fixture.Pki);
        cas2010.ImapInternalConnectionSettings = [$"127.0.0.1:{fixture.CasA.ImapSslPort}:SSL"];
        cas2010.Pop3InternalConnectionSettings = [$"127.0.0.1:{fixture.CasA.Pop3SslPort}:SSL"];
        List<ServerOptions> servers =
        [
            Topologies.Server("HQ-MBX2007", "2007", "Mailbox", fixture.Pki),
            Topologies.Server(CasA, "2007", "ClientAccess", fixture.Pki,
                Topologies.Ports(fixture.CasA.ImapSslPort, fixture.CasA.ImapPort), Topologies.Ports(fixture.CasA.Pop3SslPort, fixture.CasA.Pop3Port)),
            Topologies.Server("HQ-MBX2010", "2010", "Mailbox", fixture.Pki),
            cas2010,
        ];
        if (withCasB)
        {
            servers.Add(Topologies.Server(CasB, "2007", "ClientAccess", fixture.Pki,
                Topologies.Ports(fixture.CasB.ImapSslPort, fixture.CasB.ImapPort), Topologies.Ports(fixture.CasB.Pop3SslPort, fixture.CasB.Pop3Port)));
        }

        return Topologies.Create(servers, (Topologies.Db2007, "HQ-MBX2007"), (Topologies.Db2010, "HQ-MBX2010"));
    }

    public static Task<ProxyUnderTest> StartProxyAsync(ClientAccessFixture fixture, bool withCasB = true, IDictionary<string, string?>? settings = null) =>
        ProxyUnderTest.StartAsync(Create(fixture, withCasB), Topologies.Users, fixture.Pki.CertificatePath, fixture.Pki.KeyPath, settings);

    /// <summary>An IMAP session over implicit TLS, logged in as <paramref name="user"/>, INBOX selected.</summary>
    public static async Task<RawMailClient> ImapSessionAsync(ProxyUnderTest proxy, ClientAccessFixture fixture, string user)
    {
        var client = await RawMailClient.ConnectEncryptedAsync(MailProtocolKind.Imap, proxy.ImapsPort, fixture.Pki, implicitTls: true);
        Assert.StartsWith("a OK", await client.ImapCommandAsync("a", $"LOGIN {user} {Topologies.Password}"));
        Assert.StartsWith("b OK", await client.ImapCommandAsync("b", "SELECT INBOX"));
        return client;
    }

    /// <summary>A POP3 session over implicit TLS, logged in as <paramref name="user"/>.</summary>
    public static async Task<RawMailClient> Pop3SessionAsync(ProxyUnderTest proxy, ClientAccessFixture fixture, string user)
    {
        var client = await RawMailClient.ConnectEncryptedAsync(MailProtocolKind.Pop3, proxy.Pop3sPort, fixture.Pki, implicitTls: true);
        await client.WriteLineAsync($"USER {user}");
        Assert.StartsWith("+OK", await client.ReadLineAsync());
        await client.WriteLineAsync($"PASS {Topologies.Password}");
        Assert.StartsWith("+OK", await client.ReadLineAsync());
        return client;
    }
}
