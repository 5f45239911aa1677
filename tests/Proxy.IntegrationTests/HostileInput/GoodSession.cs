using MailKit;
using MailKit.Net.Imap;
using MailKit.Net.Pop3;
using MailKit.Security;
using Proxy.IntegrationTests.Harness;
using Proxy.IntegrationTests.Infrastructure;
using Proxy.IntegrationTests.Ordering;

namespace Proxy.IntegrationTests.HostileInput;

/// <summary>
/// The well-behaved client beside a hostile one: connected (STARTTLS) to the same listener
/// before the hostile input arrives, it logs in and reads its mailbox afterwards.
/// </summary>
public sealed class GoodSession : IDisposable
{
    private readonly MailService _client;

    private GoodSession(MailService client)
    {
        _client = client;
    }

    public static async Task<GoodSession> ConnectAsync(MailProtocolKind protocol, int port, TestPki pki)
    {
        MailService client = protocol == MailProtocolKind.Imap
            ? new ImapClient { Timeout = 15_000, ServerCertificateValidationCallback = pki.ValidateServerCertificate }
            : new Pop3Client { Timeout = 15_000, ServerCertificateValidationCallback = pki.ValidateServerCertificate };
        try
        {
            await client.ConnectAsync("127.0.0.1", port, SecureSocketOptions.StartTls);
            return new GoodSession(client);
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    /// <summary>Logs in as alice and reads her first message through the backend.</summary>
    public async Task AssertStillWorksAsync()
    {
        await _client.AuthenticateAsync(Topologies.Alice, Topologies.Password);
        Assert.True(_client.IsAuthenticated);
        if (_client is ImapClient imap)
        {
            await imap.Inbox.OpenAsync(FolderAccess.ReadOnly);
            Assert.True(imap.Inbox.Count >= 1);
        }
        else
        {
            Assert.True(await ((Pop3Client)_client).GetMessageCountAsync() >= 1);
        }

        await _client.DisconnectAsync(true);
    }

    public void Dispose() => _client.Dispose();
}
