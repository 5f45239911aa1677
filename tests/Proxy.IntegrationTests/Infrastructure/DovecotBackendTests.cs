using System.Net.Sockets;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Net.Pop3;
using MailKit.Security;

namespace Proxy.IntegrationTests.Infrastructure;

/// <summary>Proves the Dovecot fixture itself: every listener, every kind of password, a large message, restart.</summary>
public sealed class DovecotBackendTests(DovecotBackendTests.Fixture fixture) : IClassFixture<DovecotBackendTests.Fixture>
{
    private const string Alice = "alice@contoso.lab";
    private const string Erin = "erin@contoso.lab";
    private const string Big = "big@contoso.lab";
    private const string Password = "Passw0rd!";
    private const string OddPassword = "a \"b\" \\c d";
    private const int LargeSize = 20 * 1024 * 1024;

    private readonly Fixture _fixture = fixture;

    [Fact]
    public async Task Imap_SslLogin_FirstSubjectIsWelcome()
    {
        using var client = await ConnectImapAsync(_fixture.Started.ImapSslPort, SecureSocketOptions.SslOnConnect);
        await client.AuthenticateAsync(Alice, Password);

        await AssertWelcomeInboxAsync(client, "HQ-DB2013");
    }

    [Fact]
    public async Task Imap_StartTlsLogin_FirstSubjectIsWelcome()
    {
        using var client = await ConnectImapAsync(_fixture.Started.ImapPort, SecureSocketOptions.StartTls);
        Assert.True(client.IsSecure);
        await client.AuthenticateAsync(Alice, Password);

        await AssertWelcomeInboxAsync(client, "HQ-DB2013");
    }

    [Fact]
    public async Task Pop3_SslLogin_FirstSubjectIsWelcome()
    {
        using var client = await ConnectPop3Async(_fixture.Started.Pop3SslPort, SecureSocketOptions.SslOnConnect);
        await client.AuthenticateAsync(Alice, Password);

        Assert.True(client.Count >= 3);
        Assert.Equal("Welcome to HQ-DB2013", (await client.GetMessageAsync(0)).Subject);
    }

    [Fact]
    public async Task Pop3_StartTlsLogin_FirstSubjectIsWelcome()
    {
        using var client = await ConnectPop3Async(_fixture.Started.Pop3Port, SecureSocketOptions.StartTls);
        Assert.True(client.IsSecure);
        await client.AuthenticateAsync(Alice, Password);

        Assert.True(client.Count >= 3);
        Assert.Equal("Welcome to HQ-DB2013", (await client.GetMessageAsync(0)).Subject);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Imap_PasswordWithSpacesQuotesAndBackslash_LogsIn(bool sasl)
    {
        using var client = await ConnectImapAsync(_fixture.Started.ImapSslPort, SecureSocketOptions.SslOnConnect);
        if (!sasl)
        {
            // Without SASL mechanisms MailKit falls back to LOGIN with a quoted/literal password.
            client.AuthenticationMechanisms.Clear();
        }

        await client.AuthenticateAsync(Erin, OddPassword);

        await AssertWelcomeInboxAsync(client, "HQ-DB2013");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Pop3_PasswordWithSpacesQuotesAndBackslash_LogsIn(bool sasl)
    {
        using var client = await ConnectPop3Async(_fixture.Started.Pop3SslPort, SecureSocketOptions.SslOnConnect);
        if (!sasl)
        {
            // Without SASL mechanisms MailKit falls back to USER/PASS.
            client.AuthenticationMechanisms.Clear();
        }

        await client.AuthenticateAsync(Erin, OddPassword);

        Assert.Equal("Welcome to HQ-DB2013", (await client.GetMessageAsync(0)).Subject);
    }

    [Fact]
    public async Task Imap_WrongPassword_AuthenticationFails()
    {
        using var client = await ConnectImapAsync(_fixture.Started.ImapSslPort, SecureSocketOptions.SslOnConnect);

        await Assert.ThrowsAsync<AuthenticationException>(() => client.AuthenticateAsync(Alice, "wrong"));
    }

    [Fact]
    public async Task Imap_LargeMessage_FetchedWhole()
    {
        using var client = await ConnectImapAsync(_fixture.Started.ImapSslPort, SecureSocketOptions.SslOnConnect);
        await client.AuthenticateAsync(Big, Password);
        await client.Inbox.OpenAsync(FolderAccess.ReadOnly);

        var message = await client.Inbox.GetMessageAsync(client.Inbox.Count - 1);

        Assert.Equal($"Large message of {LargeSize} bytes", message.Subject);
        var body = Assert.IsType<string>(message.TextBody);
        Assert.True(body.Length >= LargeSize, $"body has {body.Length} characters");
    }

    [Fact]
    public async Task Pop3_LargeMessage_RetrievedWhole()
    {
        using var client = await ConnectPop3Async(_fixture.Started.Pop3SslPort, SecureSocketOptions.SslOnConnect);
        await client.AuthenticateAsync(Big, Password);

        var message = await client.GetMessageAsync(client.Count - 1);

        Assert.Equal($"Large message of {LargeSize} bytes", message.Subject);
        var body = Assert.IsType<string>(message.TextBody);
        Assert.True(body.Length >= LargeSize, $"body has {body.Length} characters");
    }

    [Fact]
    public async Task RestartAsync_AfterStop_ServesAgainOnTheSamePorts()
    {
        await using var backend = await DovecotBackend.StartAsync(new DovecotBackendOptions
        {
            InstanceName = "restart",
            Users = [new DovecotUser(Alice, Password, "HQ-DB2013")],
            Listeners = DovecotListeners.ImapSsl,
            Pki = _fixture.Pki,
        });
        var port = backend.ImapSslPort;

        await backend.StopAsync();
        Assert.False(backend.IsRunning);
        await Assert.ThrowsAnyAsync<SocketException>(() => new TcpClient().ConnectAsync(DovecotBackend.Host, port));

        await backend.RestartAsync();
        using var client = await ConnectImapAsync(port, SecureSocketOptions.SslOnConnect);
        await client.AuthenticateAsync(Alice, Password);
        await AssertWelcomeInboxAsync(client, "HQ-DB2013");
    }

    [Fact]
    public async Task StartAsync_PlainOnlyListeners_OfferNoStartTls()
    {
        await using var backend = await DovecotBackend.StartAsync(new DovecotBackendOptions
        {
            InstanceName = "plain-only",
            Users = [new DovecotUser(Alice, Password, "HQ-DB2010")],
            Listeners = DovecotListeners.ImapPlainOnly | DovecotListeners.Pop3PlainOnly,
            AllowPlaintextAuth = true,
            Pki = _fixture.Pki,
        });

        using var imap = await ConnectImapAsync(backend.ImapPort, SecureSocketOptions.None);
        Assert.False(imap.Capabilities.HasFlag(ImapCapabilities.StartTLS));
        await imap.AuthenticateAsync(Alice, Password);
        await AssertWelcomeInboxAsync(imap, "HQ-DB2010");

        using var pop3 = await ConnectPop3Async(backend.Pop3Port, SecureSocketOptions.None);
        Assert.False(pop3.Capabilities.HasFlag(Pop3Capabilities.StartTLS));
        await pop3.AuthenticateAsync(Alice, Password);
        Assert.Equal("Welcome to HQ-DB2010", (await pop3.GetMessageAsync(0)).Subject);
    }

    [Fact]
    public async Task StartAsync_PlainOnlyWithSsl_Throws()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => DovecotBackend.StartAsync(new DovecotBackendOptions
        {
            Listeners = DovecotListeners.ImapPlainOnly | DovecotListeners.ImapSsl,
            Pki = _fixture.Pki,
        }));
    }

    [Fact]
    public async Task StartAsync_DovecotMissing_SaysHowToInstall()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => DovecotBackend.StartAsync(new DovecotBackendOptions
        {
            Pki = _fixture.Pki,
            DovecotPath = "/nonexistent/dovecot",
        }));

        Assert.Contains("tests/run.sh", error.Message);
    }

    private async Task<ImapClient> ConnectImapAsync(int port, SecureSocketOptions security)
    {
        var client = new ImapClient { ServerCertificateValidationCallback = _fixture.Pki.ValidateServerCertificate, Timeout = 15_000 };
        await client.ConnectAsync(DovecotBackend.Host, port, security);
        return client;
    }

    private async Task<Pop3Client> ConnectPop3Async(int port, SecureSocketOptions security)
    {
        var client = new Pop3Client { ServerCertificateValidationCallback = _fixture.Pki.ValidateServerCertificate, Timeout = 15_000 };
        await client.ConnectAsync(DovecotBackend.Host, port, security);
        return client;
    }

    private static async Task AssertWelcomeInboxAsync(ImapClient client, string database)
    {
        await client.Inbox.OpenAsync(FolderAccess.ReadOnly);
        Assert.True(client.Inbox.Count >= 3, $"INBOX holds {client.Inbox.Count} messages");
        var first = await client.Inbox.FetchAsync(0, 0, MessageSummaryItems.Envelope);
        Assert.Equal($"Welcome to {database}", first[0].Envelope?.Subject);
    }

    /// <summary>One backend shared by the class: a Dovecot start costs about a second.</summary>
    public sealed class Fixture : IAsyncLifetime
    {
        public TestPki Pki { get; } = TestPki.Create();

        public DovecotBackend? Backend { get; private set; }

        public DovecotBackend Started => Backend ?? throw new InvalidOperationException("The fixture did not start.");

        public async Task InitializeAsync()
        {
            Backend = await DovecotBackend.StartAsync(new DovecotBackendOptions
            {
                InstanceName = "HQ-MBX2013",
                Users =
                [
                    new DovecotUser(Alice, Password, "HQ-DB2013"),
                    new DovecotUser(Erin, OddPassword, "HQ-DB2013"),
                    new DovecotUser(Big, Password, "HQ-DB2013", LargeMessageBytes: LargeSize),
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
}
