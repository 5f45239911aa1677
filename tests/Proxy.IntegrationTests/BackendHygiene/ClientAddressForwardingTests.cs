using System.Net;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Net.Pop3;
using MailKit.Security;
using Proxy.IntegrationTests.Harness;
using Proxy.IntegrationTests.Ordering;

namespace Proxy.IntegrationTests.BackendHygiene;

/// <summary>
/// ForwardClientAddress against a real Dovecot that trusts the proxy (login_trusted_networks
/// 127.0.0.0/8): a client connecting from 127.0.0.5 shows in Dovecot's login line as
/// rip=127.0.0.5; without the setting Dovecot sees the proxy, 127.0.0.1.
/// </summary>
[Collection(BackendHygieneCollection.Name)]
public sealed class ClientAddressForwardingTests(BackendHygieneFixture fixture)
{
    private const string ClientAddress = "127.0.0.5";
    private const int Forwarded = 3320;

    [Theory]
    [InlineData(MailProtocolKind.Imap, true, ClientAddress)]
    [InlineData(MailProtocolKind.Imap, false, "127.0.0.1")]
    [InlineData(MailProtocolKind.Pop3, true, ClientAddress)]
    [InlineData(MailProtocolKind.Pop3, false, "127.0.0.1")]
    public async Task Login_FromBoundClientAddress_DovecotLogsRemoteIpByForwardClientAddress(MailProtocolKind protocol, bool forward, string expectedRip)
    {
        await using var proxy = await fixture.StartProxyAsync(hidePlain: false, forwardClientAddress: forward, LoggingAtDebug());
        fixture.Log.Mark();

        await LogInFromAsync(protocol, proxy, ClientAddress, spoofedId: null);

        var service = protocol == MailProtocolKind.Imap ? "imap-login" : "pop3-login";
        var login = Assert.Single(await fixture.Log.WaitForLinesAsync(1, service, $"Login: user=<{Topologies.Alice}>"));
        Assert.Contains($"rip={expectedRip},", login, StringComparison.Ordinal);
        Assert.Equal(forward ? 1 : 0, proxy.Logs.WithEventId(Forwarded).Count());
    }

    [Fact]
    public async Task ImapLogin_ClientSendsItsOwnOriginatingIp_NotForwardedDovecotSeesTheRealOne()
    {
        await using var proxy = await fixture.StartProxyAsync(hidePlain: false, forwardClientAddress: true);
        fixture.Log.Mark();

        await LogInFromAsync(MailProtocolKind.Imap, proxy, ClientAddress, spoofedId: "10.6.6.6");

        var login = Assert.Single(await fixture.Log.WaitForLinesAsync(1, "imap-login", $"Login: user=<{Topologies.Alice}>"));
        Assert.Contains($"rip={ClientAddress},", login, StringComparison.Ordinal);
        Assert.DoesNotContain("10.6.6.6", string.Join('\n', fixture.Log.LinesSinceMark()), StringComparison.Ordinal);
    }

    private static Dictionary<string, string?> LoggingAtDebug() => new() { ["Logging:LogLevel:Default"] = "Debug" };

    private async Task LogInFromAsync(MailProtocolKind protocol, ProxyUnderTest proxy, string clientAddress, string? spoofedId)
    {
        var local = new IPEndPoint(IPAddress.Parse(clientAddress), 0);
        if (protocol == MailProtocolKind.Imap)
        {
            using var imap = new ImapClient { Timeout = 15_000, ServerCertificateValidationCallback = fixture.Pki.ValidateServerCertificate, LocalEndPoint = local };
            await imap.ConnectAsync("127.0.0.1", proxy.ImapPort, SecureSocketOptions.StartTls);
            if (spoofedId is not null)
            {
                var id = new ImapImplementation { Name = "spoofer" };
                id.Properties["x-originating-ip"] = spoofedId;
                await imap.IdentifyAsync(id);
            }

            await imap.AuthenticateAsync(Topologies.Alice, Topologies.Password);
            await imap.Inbox.OpenAsync(FolderAccess.ReadOnly);
            await imap.DisconnectAsync(true);
        }
        else
        {
            using var pop3 = new Pop3Client { Timeout = 15_000, ServerCertificateValidationCallback = fixture.Pki.ValidateServerCertificate, LocalEndPoint = local };
            await pop3.ConnectAsync("127.0.0.1", proxy.Pop3Port, SecureSocketOptions.StartTls);
            await pop3.AuthenticateAsync(Topologies.Alice, Topologies.Password);
            Assert.True(await pop3.GetMessageCountAsync() >= 1);
            await pop3.DisconnectAsync(true);
        }
    }
}
