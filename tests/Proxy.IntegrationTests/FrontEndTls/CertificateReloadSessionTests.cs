using MailKit;
using MailKit.Net.Imap;
using MailKit.Net.Pop3;
using MailKit.Security;
using Proxy.IntegrationTests.Harness;
using Proxy.IntegrationTests.Infrastructure;
using Proxy.IntegrationTests.Ordering;

namespace Proxy.IntegrationTests.FrontEndTls;

/// <summary>
/// Sessions that began before a certificate reload, with MailKit through to a real Dovecot:
/// they go on with the certificate they started with, while new sessions get the new one.
/// </summary>
public sealed class CertificateReloadSessionTests : IAsyncLifetime
{
    private const int TimeoutMs = 15_000;

    private readonly TestPki _backendPki = TestPki.Create();
    private readonly FrontEndCertificateAuthority _authority = new();
    private DovecotBackend _backend = null!;

    public async Task InitializeAsync()
    {
        _backend = await DovecotBackend.StartAsync(new DovecotBackendOptions
        {
            InstanceName = "frontend-tls",
            Users = [new DovecotUser(Topologies.Alice, Topologies.Password, Topologies.Db2013)],
            Pki = _backendPki,
        });
    }

    [Fact]
    public async Task Reload_SessionsOpenBefore_KeepWorkingAndNewSessionsGetTheNewCertificate()
    {
        var files = _authority.WritePem(_authority.Issue("session-v1.tls.test"), "session");
        var topology = Topologies.Single2013(
            _backendPki,
            Topologies.Ports(_backend.ImapSslPort, _backend.ImapPort),
            Topologies.Ports(_backend.Pop3SslPort, _backend.Pop3Port));
        await using var proxy = await ProxyUnderTest.StartAsync(topology, Topologies.Users, files.Certificate, files.Key);

        var (imap, imapSubject) = await ConnectImapAsync(proxy.ImapsPort, SecureSocketOptions.SslOnConnect);
        using var oldImap = imap;
        var (pop3, pop3Subject) = await ConnectPop3Async(proxy.Pop3Port, SecureSocketOptions.StartTls);
        using var oldPop3 = pop3;
        await oldImap.Inbox.OpenAsync(FolderAccess.ReadOnly);
        Assert.Equal("CN=session-v1.tls.test", imapSubject());
        Assert.Equal("CN=session-v1.tls.test", pop3Subject());

        _authority.WritePem(_authority.Issue("session-v2.tls.test"), "session");
        await CertificateProbe.WaitForSubjectAsync(proxy.ImapsPort, MailProtocolKind.Imap, true, "session-v2.tls.test");

        // The sessions of before the reload: still relaying, over the TLS they started with.
        var envelope = (await oldImap.Inbox.FetchAsync(0, 0, MessageSummaryItems.Envelope))[0].Envelope;
        Assert.Equal($"Welcome to {Topologies.Db2013}", envelope?.Subject);
        await oldImap.NoOpAsync();
        Assert.Equal($"Welcome to {Topologies.Db2013}", (await oldPop3.GetMessageAsync(0)).Subject);

        // A session of after it: the new certificate, and a working login.
        var (fresh, freshSubject) = await ConnectImapAsync(proxy.ImapPort, SecureSocketOptions.StartTls);
        using var newImap = fresh;
        Assert.Equal("CN=session-v2.tls.test", freshSubject());
        await newImap.Inbox.OpenAsync(FolderAccess.ReadOnly);
        Assert.True(newImap.Inbox.Count >= 1);

        await oldImap.DisconnectAsync(quit: true);
        await oldPop3.DisconnectAsync(quit: true);
        await newImap.DisconnectAsync(quit: true);
    }

    public async Task DisposeAsync()
    {
        if (_backend is not null)
        {
            await _backend.DisposeAsync();
        }

        _authority.Dispose();
        _backendPki.Dispose();
    }

    /// <returns>The client, logged in, and the subject of the certificate its handshake saw.</returns>
    private async Task<(ImapClient Client, Func<string?> Subject)> ConnectImapAsync(int port, SecureSocketOptions security)
    {
        string? subject = null;
        var client = new ImapClient
        {
            Timeout = TimeoutMs,
            ServerCertificateValidationCallback = (sender, certificate, chain, errors) =>
            {
                subject = certificate?.Subject;
                return _authority.Validate(sender, certificate, chain, errors);
            },
        };
        await client.ConnectAsync("127.0.0.1", port, security);
        await client.AuthenticateAsync(Topologies.Alice, Topologies.Password);
        return (client, () => subject);
    }

    private async Task<(Pop3Client Client, Func<string?> Subject)> ConnectPop3Async(int port, SecureSocketOptions security)
    {
        string? subject = null;
        var client = new Pop3Client
        {
            Timeout = TimeoutMs,
            ServerCertificateValidationCallback = (sender, certificate, chain, errors) =>
            {
                subject = certificate?.Subject;
                return _authority.Validate(sender, certificate, chain, errors);
            },
        };
        await client.ConnectAsync("127.0.0.1", port, security);
        await client.AuthenticateAsync(Topologies.Alice, Topologies.Password);
        return (client, () => subject);
    }
}
