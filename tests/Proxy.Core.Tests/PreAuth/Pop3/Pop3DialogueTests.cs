using System.Text;
using Proxy.Core.Configuration;
using Proxy.Core.Listening;
using Proxy.Core.Sessions;
using static Proxy.Core.Tests.PreAuth.DialogueHarness;

namespace Proxy.Core.Tests.PreAuth.Pop3;

public sealed class Pop3DialogueTests
{
    private const string Greeting = "+OK test POP3 proxy ready.";
    private const string PrivacyRequired = "-ERR [AUTH] Plaintext authentication disallowed on non-secure connections; use STLS.";

    [Fact]
    public async Task ReadLogin_CapaWhenLoginAllowed_ListsUserSaslAndStls()
    {
        var h = new DialogueHarness(MailProtocol.Pop3);
        var login = h.StartReadLogin();
        await h.ExpectAsync(Greeting);

        await h.SendAsync("capa\r\n");

        await h.ExpectAsync("+OK Capability list follows", "TOP", "UIDL", "RESP-CODES", "AUTH-RESP-CODE", "PIPELINING", "USER", "SASL PLAIN LOGIN", "STLS", "IMPLEMENTATION Proxy", ".");
        await h.SendAsync("QUIT\r\n");
        await h.ExpectAsync("+OK test POP3 proxy signing off.");
        Assert.Null(await Within(login));
    }

    [Fact]
    public async Task ReadLogin_CapaWhenTlsRequired_HidesUserAndSasl()
    {
        var h = new DialogueHarness(MailProtocol.Pop3, LoginType.SecureLogin);
        _ = h.StartReadLogin();
        await h.ExpectAsync(Greeting);

        await h.SendAsync("CAPA\r\n");

        await h.ExpectAsync("+OK Capability list follows", "TOP", "UIDL", "RESP-CODES", "AUTH-RESP-CODE", "PIPELINING", "STLS", "IMPLEMENTATION Proxy", ".");
    }

    [Fact]
    public async Task ReadLogin_CapaOverImplicitTls_HasNoStls()
    {
        var h = new DialogueHarness(MailProtocol.Pop3, LoginType.SecureLogin, implicitTls: true);
        _ = h.StartReadLogin();
        await h.ExpectAsync(Greeting);

        await h.SendAsync("CAPA\r\n");

        await h.ExpectAsync("+OK Capability list follows", "TOP", "UIDL", "RESP-CODES", "AUTH-RESP-CODE", "PIPELINING", "USER", "SASL PLAIN LOGIN", "IMPLEMENTATION Proxy", ".");
    }

    [Fact]
    public async Task ReadLogin_UserPass_ReturnsCredentialsWithSpacesInPassword()
    {
        var h = new DialogueHarness(MailProtocol.Pop3);
        var login = h.StartReadLogin();
        await h.ExpectAsync(Greeting);

        await h.SendAsync("USER bob\r\n");
        await h.ExpectAsync("+OK Send your password.");
        await h.SendAsync("PASS my secret\r\nSTAT\r\n");

        Assert.Equal(new LoginRequest("bob", "my secret", "USER"), await Within(login));
        Assert.Equal("STAT\r\n", h.PendingInput());
    }

    [Fact]
    public async Task AcceptLogin_WritesBackendResponse()
    {
        var h = new DialogueHarness(MailProtocol.Pop3);
        var login = h.StartReadLogin();
        await h.ExpectAsync(Greeting);
        await h.SendAsync("USER bob\r\nPASS secret\r\n");
        await h.ExpectAsync("+OK Send your password.");
        await Within(login);

        await h.Dialogue.AcceptLoginAsync(Backend("+OK Logged in."), CancellationToken.None);

        await h.ExpectAsync("+OK Logged in.");
    }

    [Theory]
    [InlineData(LoginFailure.InvalidCredentials, "-ERR [AUTH] Authentication failed.")]
    [InlineData(LoginFailure.PrivilegedAccountDenied, "-ERR [AUTH] Authentication failed.")]
    [InlineData(LoginFailure.CrossSiteDenied, "-ERR [SYS/PERM] Your mailbox is in another site and cannot be reached through this server. Contact your administrator.")]
    [InlineData(LoginFailure.MailboxNotFound, "-ERR [SYS/PERM] Your mailbox could not be located. Contact your administrator.")]
    [InlineData(LoginFailure.BackendUnavailable, "-ERR [SYS/TEMP] The service is temporarily unavailable. Try again later.")]
    [InlineData(LoginFailure.DirectoryUnavailable, "-ERR [SYS/TEMP] The service is temporarily unavailable. Try again later.")]
    [InlineData(LoginFailure.PrivacyRequired, PrivacyRequired)]
    [InlineData(LoginFailure.UserConnectionLimit, "-ERR [IN-USE] Too many simultaneous connections for this account; close one and try again.")]
    [InlineData(LoginFailure.LockedOut, "-ERR [SYS/TEMP] Too many failed logins; try again later.")]
    public async Task RejectLogin_EachFailure_UsesItsResponseCode(LoginFailure failure, string expected)
    {
        var h = new DialogueHarness(MailProtocol.Pop3);
        var login = h.StartReadLogin();
        await h.ExpectAsync(Greeting);
        await h.SendAsync("USER bob\r\nPASS secret\r\n");
        await h.ExpectAsync("+OK Send your password.");
        await Within(login);

        await h.Dialogue.RejectLoginAsync(failure, closing: true, CancellationToken.None);

        await h.ExpectAsync(expected);
        h.ExpectNoMoreOutput();
    }

    [Theory]
    [InlineData(ConnectionRefusal.MaxConnections, "-ERR [SYS/TEMP] Too many connections to this server; try again later.")]
    [InlineData(ConnectionRefusal.MaxConnectionFromSingleIP, "-ERR [SYS/TEMP] Too many connections from your address; try again later.")]
    public async Task RefuseConnection_InPlaceOfTheGreeting_ErrSysTemp(ConnectionRefusal refusal, string expected)
    {
        var h = new DialogueHarness(MailProtocol.Pop3);

        await h.Dialogue.RefuseConnectionAsync(refusal, CancellationToken.None);

        await h.ExpectAsync(expected);
        h.ExpectNoMoreOutput();
    }

    [Fact]
    public async Task RejectLogin_NotClosing_NeedsUserAgain()
    {
        var h = new DialogueHarness(MailProtocol.Pop3);
        var login = h.StartReadLogin();
        await h.ExpectAsync(Greeting);
        await h.SendAsync("USER bob\r\nPASS wrong\r\n");
        await h.ExpectAsync("+OK Send your password.");
        await Within(login);
        await h.Dialogue.RejectLoginAsync(LoginFailure.InvalidCredentials, closing: false, CancellationToken.None);
        await h.ExpectAsync("-ERR [AUTH] Authentication failed.");

        login = h.StartReadLogin();
        await h.SendAsync("PASS right\r\n");
        await h.ExpectAsync("-ERR Send USER first.");
        await h.SendAsync("USER bob\r\nPASS right\r\n");
        await h.ExpectAsync("+OK Send your password.");

        Assert.Equal("right", (await Within(login))!.Password);
    }

    [Theory]
    [InlineData("USER bob\r\n")]
    [InlineData("AUTH PLAIN AGJvYgBzZWNyZXQ=\r\n")]
    [InlineData("AUTH LOGIN\r\n")]
    public async Task ReadLogin_CredentialsBeforeTlsWhenRequired_RefusedWithAuthCode(string command)
    {
        var h = new DialogueHarness(MailProtocol.Pop3, LoginType.PlainTextAuthentication);
        var login = h.StartReadLogin();
        await h.ExpectAsync(Greeting);

        await h.SendAsync(command);
        await h.ExpectAsync(PrivacyRequired);
        await h.DisconnectAsync();

        Assert.Null(await Within(login));
    }

    [Fact]
    public async Task ReadLogin_AuthWithoutArguments_ListsMechanisms()
    {
        var h = new DialogueHarness(MailProtocol.Pop3);
        _ = h.StartReadLogin();
        await h.ExpectAsync(Greeting);

        await h.SendAsync("AUTH\r\n");

        await h.ExpectAsync("+OK Supported mechanisms follow", "PLAIN", "LOGIN", ".");
    }

    [Fact]
    public async Task ReadLogin_AuthPlainWithInitialResponse_ReturnsCredentials()
    {
        var h = new DialogueHarness(MailProtocol.Pop3);
        var login = h.StartReadLogin();
        await h.ExpectAsync(Greeting);

        await h.SendAsync($"AUTH PLAIN {Base64("\0bob\0secret")}\r\n");

        Assert.Equal(new LoginRequest("bob", "secret", "PLAIN"), await Within(login));
    }

    [Fact]
    public async Task ReadLogin_AuthPlainWithContinuation_ReturnsCredentials()
    {
        var h = new DialogueHarness(MailProtocol.Pop3);
        var login = h.StartReadLogin();
        await h.ExpectAsync(Greeting);

        await h.SendAsync("auth plain\r\n");
        await h.ExpectAsync("+ ");
        await h.SendAsync(Base64("\0bob\0secret") + "\r\n");

        Assert.Equal(new LoginRequest("bob", "secret", "PLAIN"), await Within(login));
    }

    [Fact]
    public async Task ReadLogin_AuthLogin_AsksUserNameThenPassword()
    {
        var h = new DialogueHarness(MailProtocol.Pop3);
        var login = h.StartReadLogin();
        await h.ExpectAsync(Greeting);

        await h.SendAsync("AUTH LOGIN\r\n");
        await h.ExpectAsync("+ VXNlcm5hbWU6");
        await h.SendAsync(Base64("bob") + "\r\n");
        await h.ExpectAsync("+ UGFzc3dvcmQ6");
        await h.SendAsync(Base64("secret") + "\r\n");

        Assert.Equal(new LoginRequest("bob", "secret", "AUTH-LOGIN"), await Within(login));
    }

    [Theory]
    [InlineData("AUTH PLAIN\r\n", "*\r\n", "-ERR Authentication cancelled.")]
    [InlineData("AUTH LOGIN\r\n", "*\r\n", "-ERR Authentication cancelled.")]
    [InlineData("AUTH LOGIN\r\n", "Ym9i=\r\n", "-ERR Invalid base64 data.")]
    [InlineData("AUTH PLAIN\r\n", "%%%%\r\n", "-ERR Invalid base64 data.")]
    [InlineData("AUTH PLAIN\r\n", "Ym9ic2VjcmV0\r\n", "-ERR [AUTH] Authentication failed.")]
    [InlineData("AUTH PLAIN\r\n", "AGINCm9iAHNlY3JldA==\r\n", "-ERR [AUTH] Authentication failed.")]
    public async Task ReadLogin_AuthBadResponse_RefusesAndContinues(string command, string response, string expected)
    {
        var h = new DialogueHarness(MailProtocol.Pop3);
        var login = h.StartReadLogin();
        await h.ExpectAsync(Greeting);

        await h.SendAsync(command);
        await h.ReadLineAsync();
        await h.SendAsync(response);
        await h.ExpectAsync(expected);

        await h.SendAsync("QUIT\r\n");
        await h.ExpectAsync("+OK test POP3 proxy signing off.");
        Assert.Null(await Within(login));
    }

    [Theory]
    [InlineData("STAT\r\n", "-ERR Unknown command, or command not valid before login.")]
    [InlineData("NOOP\r\n", "-ERR Unknown command, or command not valid before login.")]
    [InlineData("PASS secret\r\n", "-ERR Send USER first.")]
    [InlineData("USER\r\n", "-ERR Invalid arguments for USER.")]
    [InlineData("USER a b\r\n", "-ERR Invalid arguments for USER.")]
    [InlineData("CAPA x\r\n", "-ERR Invalid arguments for CAPA.")]
    [InlineData("AUTH CRAM-MD5\r\n", "-ERR Unsupported authentication mechanism.")]
    [InlineData("AUTH PLAIN bad!\r\n", "-ERR Invalid base64 data.")]
    [InlineData("AUTH PLAIN AGJvYgBzZWNyZXQ= x\r\n", "-ERR Invalid arguments for AUTH.")]
    [InlineData("XYZZY\r\n", "-ERR Syntax error: Invalid command keyword.")]
    [InlineData("USER b\0b\r\n", "-ERR Syntax error: NUL byte in command line.")]
    public async Task ReadLogin_RefusedCommand_AnswersAndContinues(string command, string expected)
    {
        var h = new DialogueHarness(MailProtocol.Pop3);
        var login = h.StartReadLogin();
        await h.ExpectAsync(Greeting);

        await h.SendAsync(command);
        await h.ExpectAsync(expected);
        await h.SendAsync("QUIT\r\n");
        await h.ExpectAsync("+OK test POP3 proxy signing off.");

        Assert.Null(await Within(login));
    }

    [Fact]
    public async Task ReadLogin_StlsWithPipelinedCommands_DiscardsThemAndUpgrades()
    {
        var h = new DialogueHarness(MailProtocol.Pop3, LoginType.SecureLogin);
        var login = h.StartReadLogin();
        await h.ExpectAsync(Greeting);

        await h.SendAsync("STLS\r\nUSER evil\r\nPASS evil\r\n");
        await h.ExpectAsync("+OK Begin TLS negotiation now.");
        await h.SendAsync("PASS x\r\n");
        await h.ExpectAsync("-ERR Send USER first.");
        await h.SendAsync("USER bob\r\nPASS secret\r\n");
        await h.ExpectAsync("+OK Send your password.");

        Assert.Equal(new LoginRequest("bob", "secret", "USER"), await Within(login));
        Assert.Equal(1, h.TlsUpgrades);
        Assert.Contains("StartTlsPipelinedBytesDiscarded", h.Logs.EventNames);
    }

    [Fact]
    public async Task ReadLogin_StlsWhenEncrypted_IsRefused()
    {
        var h = new DialogueHarness(MailProtocol.Pop3, implicitTls: true);
        _ = h.StartReadLogin();
        await h.ExpectAsync(Greeting);

        await h.SendAsync("STLS\r\n");

        await h.ExpectAsync("-ERR Command not permitted when TLS active.");
        Assert.Equal(0, h.TlsUpgrades);
    }

    [Fact]
    public async Task ReadLogin_StlsWithoutCertificate_IsRefused()
    {
        var h = new DialogueHarness(MailProtocol.Pop3, tls: TlsMode.NoCertificate);
        _ = h.StartReadLogin();
        await h.ExpectAsync(Greeting);

        await h.SendAsync("STLS\r\n");

        await h.ExpectAsync("-ERR STLS is not available.");
    }

    [Fact]
    public async Task ReadLogin_StlsHandshakeFails_EndsSession()
    {
        var h = new DialogueHarness(MailProtocol.Pop3, tls: TlsMode.Fails);
        var login = h.StartReadLogin();
        await h.ExpectAsync(Greeting);

        await h.SendAsync("STLS\r\n");
        await h.ExpectAsync("+OK Begin TLS negotiation now.");

        Assert.Null(await Within(login));
    }

    [Fact]
    public async Task ReadLogin_LineTooLong_RefusesAndEnds()
    {
        var h = new DialogueHarness(MailProtocol.Pop3);
        var login = h.StartReadLogin();
        await h.ExpectAsync(Greeting);

        await h.SendAsync("PASS " + new string('x', 600));

        await h.ExpectAsync("-ERR Command line too long.");
        Assert.Null(await Within(login));
    }

    [Fact]
    public async Task ReadLogin_Silence_SaysGoodbyeAfterTimeout()
    {
        var h = new DialogueHarness(MailProtocol.Pop3, configure: o => o.Pop3.PreAuthenticatedConnectionTimeout = TimeSpan.FromSeconds(30));
        var login = h.StartReadLogin();
        await h.ExpectAsync(Greeting);
        await h.Time.WaitForTimerAsync(1);

        h.Time.Advance(TimeSpan.FromSeconds(30));

        await h.ExpectAsync("-ERR Disconnected for inactivity.");
        Assert.Null(await Within(login));
    }

    [Fact]
    public async Task ReadLogin_ClientDisconnects_ReturnsNull()
    {
        var h = new DialogueHarness(MailProtocol.Pop3);
        var login = h.StartReadLogin();
        await h.ExpectAsync(Greeting);

        await h.DisconnectAsync();

        Assert.Null(await Within(login));
        Assert.Contains("PreAuthConnectionLost", h.Logs.EventNames);
    }

    [Fact]
    public async Task SayGoodbye_WritesErr()
    {
        var h = new DialogueHarness(MailProtocol.Pop3);
        _ = h.StartReadLogin();
        await h.ExpectAsync(Greeting);

        await h.Dialogue.SayGoodbyeAsync("Server shutting down.", CancellationToken.None);

        await h.ExpectAsync("-ERR Server shutting down.");
    }

    private static string Base64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));
}
