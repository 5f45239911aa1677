using System.Net;
using Proxy.Core.Configuration;
using Proxy.Core.Sessions;
using static Proxy.Core.Tests.PreAuth.DialogueHarness;

namespace Proxy.Core.Tests.PreAuth;

/// <summary>
/// The LoginType decision of docs/configuration.md for both protocols: PlainTextLogin takes
/// credentials in clear; PlainTextAuthentication and SecureLogin behave the same (credentials
/// only after TLS), except for clients in TrustedNetworks, who may log in in clear under any
/// login type and are shown the capabilities that say so.
/// </summary>
public sealed class LoginTypeTests
{
    private const string ImapBase = "IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ STARTTLS";
    private const string ImapPrivacyRequired = "a NO [PRIVACYREQUIRED] Plaintext authentication is not allowed without TLS; use STARTTLS first.";
    private const string Pop3PrivacyRequired = "-ERR [AUTH] Plaintext authentication disallowed on non-secure connections; use STLS.";

    private static readonly IPEndPoint Loopback = new(IPAddress.Parse("127.0.0.5"), 40000);

    public static TheoryData<LoginType> TlsRequiringTypes => [LoginType.PlainTextAuthentication, LoginType.SecureLogin];

    public static TheoryData<LoginType> AllTypes => [LoginType.PlainTextLogin, LoginType.PlainTextAuthentication, LoginType.SecureLogin];

    [Theory]
    [MemberData(nameof(TlsRequiringTypes))]
    public async Task Imap_TlsRequiredBeforeTls_LoginDisabledNoAuthAndEveryMechanismRefused(LoginType loginType)
    {
        var h = new DialogueHarness(MailProtocol.Imap, loginType);
        var login = h.StartReadLogin();
        await h.ExpectAsync($"* OK [CAPABILITY {ImapBase} LOGINDISABLED] test IMAP4 proxy ready.");

        await h.SendAsync("a LOGIN bob secret\r\n");
        await h.ExpectAsync(ImapPrivacyRequired);
        await h.SendAsync("a AUTHENTICATE PLAIN AGJvYgBzZWNyZXQ=\r\n");
        await h.ExpectAsync(ImapPrivacyRequired);
        await h.SendAsync("a AUTHENTICATE LOGIN\r\n");
        await h.ExpectAsync(ImapPrivacyRequired);

        await h.SendAsync("b STARTTLS\r\n");
        await h.ExpectAsync("b OK Begin TLS negotiation now.");
        await h.SendAsync("c CAPABILITY\r\n");
        await h.ExpectAsync("* CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ AUTH=PLAIN AUTH=LOGIN", "c OK CAPABILITY completed.");
        await h.SendAsync("d LOGIN bob secret\r\n");
        Assert.Equal(new LoginRequest("bob", "secret", "LOGIN"), await Within(login));
        Assert.DoesNotContain("ClearTextLoginFromTrustedNetwork", h.Logs.EventNames);
    }

    [Theory]
    [MemberData(nameof(TlsRequiringTypes))]
    public async Task Pop3_TlsRequiredBeforeTls_CapaHidesUserAndSaslAndEveryMechanismRefused(LoginType loginType)
    {
        var h = new DialogueHarness(MailProtocol.Pop3, loginType);
        var login = h.StartReadLogin();
        await h.ReadLineAsync();

        await h.SendAsync("CAPA\r\n");
        await h.ExpectAsync("+OK Capability list follows", "TOP", "UIDL", "RESP-CODES", "AUTH-RESP-CODE", "PIPELINING", "STLS", "IMPLEMENTATION Proxy", ".");
        await h.SendAsync("AUTH\r\n");
        await h.ExpectAsync("+OK Supported mechanisms follow", ".");
        foreach (var command in new[] { "USER bob", "AUTH PLAIN AGJvYgBzZWNyZXQ=", "AUTH LOGIN" })
        {
            await h.SendAsync(command + "\r\n");
            await h.ExpectAsync(Pop3PrivacyRequired);
        }

        await h.SendAsync("STLS\r\n");
        await h.ExpectAsync("+OK Begin TLS negotiation now.");
        await h.SendAsync("USER bob\r\nPASS secret\r\n");
        await h.ExpectAsync("+OK Send your password.");
        Assert.Equal(new LoginRequest("bob", "secret", "USER"), await Within(login));
    }

    [Fact]
    public async Task Imap_PlainTextLogin_AuthAdvertisedAndLoginTakenInClear()
    {
        var h = new DialogueHarness(MailProtocol.Imap, LoginType.PlainTextLogin);
        var login = h.StartReadLogin();
        await h.ExpectAsync($"* OK [CAPABILITY {ImapBase} AUTH=PLAIN AUTH=LOGIN] test IMAP4 proxy ready.");

        await h.SendAsync("a AUTHENTICATE PLAIN AGJvYgBzZWNyZXQ=\r\n");

        Assert.Equal(new LoginRequest("bob", "secret", "PLAIN"), await Within(login));
        Assert.False(h.Connection.IsEncrypted);
    }

    [Theory]
    [MemberData(nameof(AllTypes))]
    public async Task Imap_TrustedNetworkClient_AuthAdvertisedAndLoginTakenInClear(LoginType loginType)
    {
        var h = new DialogueHarness(MailProtocol.Imap, loginType, configure: o => o.Imap.TrustedNetworks = ["10.0.0.0/8", "127.0.0.0/8"], remoteEndPoint: Loopback);
        var login = h.StartReadLogin();
        await h.ExpectAsync($"* OK [CAPABILITY {ImapBase} AUTH=PLAIN AUTH=LOGIN] test IMAP4 proxy ready.");
        await h.SendAsync("a CAPABILITY\r\n");
        await h.ExpectAsync($"* CAPABILITY {ImapBase} AUTH=PLAIN AUTH=LOGIN", "a OK CAPABILITY completed.");

        await h.SendAsync("b LOGIN bob secret\r\n");

        Assert.Equal(new LoginRequest("bob", "secret", "LOGIN"), await Within(login));
        Assert.False(h.Connection.IsEncrypted);
        Assert.Equal(loginType != LoginType.PlainTextLogin, h.Logs.EventNames.Contains("ClearTextLoginFromTrustedNetwork"));
    }

    [Theory]
    [MemberData(nameof(AllTypes))]
    public async Task Pop3_TrustedNetworkClient_CapaListsUserAndSaslAndLoginTakenInClear(LoginType loginType)
    {
        var h = new DialogueHarness(MailProtocol.Pop3, loginType, configure: o => o.Pop3.TrustedNetworks = ["127.0.0.5"], remoteEndPoint: Loopback);
        var login = h.StartReadLogin();
        await h.ReadLineAsync();

        await h.SendAsync("CAPA\r\n");
        await h.ExpectAsync("+OK Capability list follows", "TOP", "UIDL", "RESP-CODES", "AUTH-RESP-CODE", "PIPELINING", "USER", "SASL PLAIN LOGIN", "STLS", "IMPLEMENTATION Proxy", ".");
        await h.SendAsync("AUTH PLAIN AGJvYgBzZWNyZXQ=\r\n");

        Assert.Equal(new LoginRequest("bob", "secret", "PLAIN"), await Within(login));
    }

    [Theory]
    [InlineData("127.0.0.5", "127.0.0.4/32")]
    [InlineData("10.1.2.3", "192.168.0.0/16")]
    [InlineData("::1", "127.0.0.0/8")]
    public async Task Imap_ClientOutsideTrustedNetworks_StillNeedsTls(string client, string trusted)
    {
        var h = new DialogueHarness(
            MailProtocol.Imap,
            LoginType.SecureLogin,
            configure: o => o.Imap.TrustedNetworks = [trusted],
            remoteEndPoint: new IPEndPoint(IPAddress.Parse(client), 40000));
        _ = h.StartReadLogin();
        await h.ExpectAsync($"* OK [CAPABILITY {ImapBase} LOGINDISABLED] test IMAP4 proxy ready.");

        await h.SendAsync("a LOGIN bob secret\r\n");

        await h.ExpectAsync(ImapPrivacyRequired);
    }

    [Fact]
    public async Task Pop3_TrustedNetworksOfTheOtherProtocol_DoNotApply()
    {
        var h = new DialogueHarness(MailProtocol.Pop3, LoginType.SecureLogin, configure: o => o.Imap.TrustedNetworks = ["127.0.0.0/8"], remoteEndPoint: Loopback);
        _ = h.StartReadLogin();
        await h.ReadLineAsync();

        await h.SendAsync("USER bob\r\n");

        await h.ExpectAsync(Pop3PrivacyRequired);
    }

    [Theory]
    [InlineData("::ffff:10.20.30.40", "10.0.0.0/8")]
    [InlineData("fd00::1234", "fd00::/8")]
    [InlineData("::1", "::1")]
    public async Task Imap_TrustedIpv6AndMappedIpv4Clients_LoginInClear(string client, string trusted)
    {
        var h = new DialogueHarness(
            MailProtocol.Imap,
            LoginType.SecureLogin,
            configure: o => o.Imap.TrustedNetworks = [trusted],
            remoteEndPoint: new IPEndPoint(IPAddress.Parse(client), 40000));
        var login = h.StartReadLogin();
        await h.ExpectAsync($"* OK [CAPABILITY {ImapBase} AUTH=PLAIN AUTH=LOGIN] test IMAP4 proxy ready.");

        await h.SendAsync("a LOGIN bob secret\r\n");

        Assert.Equal("bob", (await Within(login))!.UserName);
    }
}
