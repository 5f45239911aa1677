using MailKit;
using MailKit.Net.Imap;
using MailKit.Net.Pop3;
using MailKit.Security;
using Proxy.IntegrationTests.Harness;
using Proxy.IntegrationTests.Infrastructure;

namespace Proxy.IntegrationTests.Ordering;

/// <summary>A real client's view: log in through the proxy with MailKit and read the first message's subject.</summary>
public static class MailKitLogin
{
    private const int TimeoutMs = 15_000;

    public static async Task<string?> FirstSubjectAsync(MailProtocolKind protocol, int port, SecureSocketOptions security, string user, string password, TestPki pki)
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        if (protocol == MailProtocolKind.Imap)
        {
            using var imap = new ImapClient { Timeout = TimeoutMs, ServerCertificateValidationCallback = pki.ValidateServerCertificate };
            await imap.ConnectAsync("127.0.0.1", port, security, cancel.Token);
            await imap.AuthenticateAsync(user, password, cancel.Token);
            await imap.Inbox.OpenAsync(FolderAccess.ReadOnly, cancel.Token);
            var subject = (await imap.Inbox.GetMessageAsync(0, cancel.Token)).Subject;
            await imap.DisconnectAsync(true, cancel.Token);
            return subject;
        }

        using var pop3 = new Pop3Client { Timeout = TimeoutMs, ServerCertificateValidationCallback = pki.ValidateServerCertificate };
        await pop3.ConnectAsync("127.0.0.1", port, security, cancel.Token);
        await pop3.AuthenticateAsync(user, password, cancel.Token);
        var first = (await pop3.GetMessageAsync(0, cancel.Token)).Subject;
        await pop3.DisconnectAsync(true, cancel.Token);
        return first;
    }

    /// <summary>The proxy's implicit-TLS port for the protocol.</summary>
    public static int ImplicitTlsPort(this Harness.ProxyUnderTest proxy, MailProtocolKind protocol) =>
        protocol == MailProtocolKind.Imap ? proxy.ImapsPort : proxy.Pop3sPort;

    /// <summary>The proxy's plain (STARTTLS) port for the protocol.</summary>
    public static int PlainPort(this Harness.ProxyUnderTest proxy, MailProtocolKind protocol) =>
        protocol == MailProtocolKind.Imap ? proxy.ImapPort : proxy.Pop3Port;
}
