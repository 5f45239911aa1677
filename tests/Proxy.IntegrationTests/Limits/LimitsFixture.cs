using System.Net;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Net.Pop3;
using MailKit.Security;
using Proxy.IntegrationTests.Harness;
using Proxy.IntegrationTests.Infrastructure;
using Proxy.IntegrationTests.Ordering;

namespace Proxy.IntegrationTests.Limits;

/// <summary>
/// One real Dovecot holding alice's and bob's mailboxes; each test starts its own proxy in
/// front of it with the limits it exercises (the shared-proxy defaults of
/// <see cref="ProxyUnderTest"/> turn them off).
/// </summary>
public sealed class LimitsFixture : IAsyncLifetime
{
    public const string Bob = "bob@contoso.lab";

    /// <summary>In the directory with the right password, but disabled; Dovecot would let her in.</summary>
    public const string Dora = "dora@contoso.lab";

    /// <summary>A second client address on loopback: Linux routes all of 127.0.0.0/8 to lo.</summary>
    public static readonly IPAddress OtherAddress = IPAddress.Parse("127.0.0.2");

    public TestPki Pki { get; } = TestPki.Create();

    public DovecotBackend Backend { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        DovecotUser[] users =
        [
            new(Topologies.Alice, Topologies.Password, Topologies.Db2013),
            new(Bob, Topologies.Password, Topologies.Db2013),
            new(Dora, Topologies.Password, Topologies.Db2013),
        ];
        Backend = await DovecotBackend.StartAsync(new DovecotBackendOptions { InstanceName = "limits", Users = users, Pki = Pki });
    }

    /// <summary>A proxy in front of the fixture's Dovecot with <paramref name="settings"/> on top of the harness's.</summary>
    public Task<ProxyUnderTest> StartProxyAsync(Dictionary<string, string?> settings)
    {
        var topology = Topologies.Single2013(
            Pki,
            Topologies.Ports(Backend.ImapSslPort, Backend.ImapPort),
            Topologies.Ports(Backend.Pop3SslPort, Backend.Pop3Port));
        DirectoryUser[] users =
        [
            new(Topologies.Alice, Topologies.Password, Topologies.Db2013),
            new(Bob, Topologies.Password, Topologies.Db2013),
            new(Dora, Topologies.Password, Topologies.Db2013, Disabled: true),
        ];
        return ProxyUnderTest.StartAsync(topology, users, Pki.CertificatePath, Pki.KeyPath, settings);
    }

    /// <summary>Both protocols' <paramref name="key"/> (e.g. <c>MaxConnections</c>).</summary>
    public static IEnumerable<KeyValuePair<string, string?>> Both(string key, string value) =>
        [new($"Proxy:Imap:{key}", value), new($"Proxy:Pop3:{key}", value)];

    /// <summary>A real client (MailKit) logged in over implicit TLS, from <paramref name="source"/> when given.</summary>
    public async Task<MailService> LogInAsync(MailProtocolKind protocol, ProxyUnderTest proxy, string user, IPAddress? source = null)
    {
        MailService client = protocol == MailProtocolKind.Imap
            ? new ImapClient { Timeout = 15_000, ServerCertificateValidationCallback = Pki.ValidateServerCertificate }
            : new Pop3Client { Timeout = 15_000, ServerCertificateValidationCallback = Pki.ValidateServerCertificate };
        if (source is not null)
        {
            client.LocalEndPoint = new IPEndPoint(source, 0);
        }

        try
        {
            await client.ConnectAsync("127.0.0.1", proxy.ImplicitTlsPort(protocol), SecureSocketOptions.SslOnConnect);
            await client.AuthenticateAsync(user, Topologies.Password);
            return client;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    /// <summary>The session still reaches its mailbox: IMAP STATUS of INBOX, POP3 STAT.</summary>
    public static async Task AssertStillWorksAsync(MailService client)
    {
        if (client is ImapClient imap)
        {
            await imap.Inbox.StatusAsync(StatusItems.Count);
            Assert.True(imap.Inbox.Count > 0, "INBOX looks empty through the proxy");
        }
        else
        {
            Assert.True(await ((Pop3Client)client).GetMessageCountAsync() > 0, "the maildrop looks empty through the proxy");
        }
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

/// <summary>The limits tests share one Dovecot and run one after another: their timings stay apart.</summary>
[CollectionDefinition(Name)]
public sealed class LimitsCollection : ICollectionFixture<LimitsFixture>
{
    public const string Name = "Limits";
}
