using MailKit;
using MailKit.Net.Imap;
using MailKit.Net.Pop3;
using MailKit.Security;
using Proxy.IntegrationTests.Harness;
using Proxy.IntegrationTests.Infrastructure;

namespace Proxy.IntegrationTests.EndToEnd;

/// <summary>The proxy's two listeners of one protocol.</summary>
public enum Listener
{
    /// <summary>ImapsPort / Pop3sPort.</summary>
    ImplicitTls,

    /// <summary>ImapPort / Pop3Port, upgraded with STARTTLS / STLS before login.</summary>
    StartTls,
}

/// <summary>MailKit clients that trust only the test CA, with bounded timeouts.</summary>
internal static class MailClients
{
    public const int TimeoutMs = 15_000;

    public static int ImapPort(this ProxyUnderTest proxy, Listener listener) =>
        listener == Listener.ImplicitTls ? proxy.ImapsPort : proxy.ImapPort;

    public static int Pop3Port(this ProxyUnderTest proxy, Listener listener) =>
        listener == Listener.ImplicitTls ? proxy.Pop3sPort : proxy.Pop3Port;

    public static SecureSocketOptions Security(Listener listener) =>
        listener == Listener.ImplicitTls ? SecureSocketOptions.SslOnConnect : SecureSocketOptions.StartTls;

    public static async Task<ImapClient> ConnectImapAsync(TestPki pki, int port, SecureSocketOptions security, IProtocolLogger? protocolLogger = null)
    {
        var client = protocolLogger is null ? new ImapClient() : new ImapClient(protocolLogger);
        client.ServerCertificateValidationCallback = pki.ValidateServerCertificate;
        client.Timeout = TimeoutMs;
        await client.ConnectAsync(DovecotBackend.Host, port, security);
        return client;
    }

    public static async Task<Pop3Client> ConnectPop3Async(TestPki pki, int port, SecureSocketOptions security, IProtocolLogger? protocolLogger = null)
    {
        var client = protocolLogger is null ? new Pop3Client() : new Pop3Client(protocolLogger);
        client.ServerCertificateValidationCallback = pki.ValidateServerCertificate;
        client.Timeout = TimeoutMs;
        await client.ConnectAsync(DovecotBackend.Host, port, security);
        return client;
    }

    /// <summary>The backend that served the session shows in the first Subject, <c>Welcome to {database}</c>.</summary>
    public static async Task AssertWelcomeInboxAsync(ImapClient client, string database)
    {
        await client.Inbox.OpenAsync(FolderAccess.ReadOnly);
        Assert.True(client.Inbox.Count >= 3, $"INBOX holds {client.Inbox.Count} messages");
        var first = await client.Inbox.FetchAsync(0, 0, MessageSummaryItems.Envelope);
        Assert.Equal($"Welcome to {database}", first[0].Envelope?.Subject);
    }

    public static async Task AssertWelcomeInboxAsync(Pop3Client client, string database)
    {
        Assert.True(client.Count >= 3, $"the maildrop holds {client.Count} messages");
        Assert.Equal($"Welcome to {database}", (await client.GetMessageAsync(0)).Subject);
    }
}
