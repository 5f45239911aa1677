using System.Text;
using Proxy.Core.Configuration;
using Proxy.Core.Listening;
using Proxy.Core.PreAuth.Imap;
using Proxy.Core.Sessions;
using static Proxy.Core.Tests.PreAuth.DialogueHarness;

namespace Proxy.Core.Tests.PreAuth.Imap;

public sealed class ImapDialogueTests
{
    private const string LoginCapabilities = "IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ STARTTLS AUTH=PLAIN AUTH=LOGIN";
    private const string Greeting = "* OK [CAPABILITY " + LoginCapabilities + "] test IMAP4 proxy ready.";

    [Fact]
    public async Task ReadLogin_PlainTextLoginBeforeTls_GreetsWithAuthAndStartTls()
    {
        var h = new DialogueHarness(MailProtocol.Imap);
        var login = h.StartReadLogin();

        await h.ExpectAsync(Greeting);
        await h.SendAsync("a CAPABILITY\r\nb NOOP\r\n");
        await h.ExpectAsync("* CAPABILITY " + LoginCapabilities, "a OK CAPABILITY completed.", "b OK NOOP completed.");
        await h.SendAsync("c LOGOUT\r\n");
        await h.ExpectAsync("* BYE test IMAP4 proxy logging out.", "c OK LOGOUT completed.");
        Assert.Null(await Within(login));
    }

    [Theory]
    [InlineData(LoginType.SecureLogin)]
    [InlineData(LoginType.PlainTextAuthentication)]
    public async Task ReadLogin_TlsRequiredBeforeTls_AdvertisesLoginDisabled(LoginType loginType)
    {
        var h = new DialogueHarness(MailProtocol.Imap, loginType);
        _ = h.StartReadLogin();

        await h.ExpectAsync("* OK [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ STARTTLS LOGINDISABLED] test IMAP4 proxy ready.");
        await h.SendAsync("a CAPABILITY\r\n");
        await h.ExpectAsync("* CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ STARTTLS LOGINDISABLED", "a OK CAPABILITY completed.");
    }

    [Fact]
    public async Task ReadLogin_ImplicitTls_AdvertisesAuthWithoutStartTls()
    {
        var h = new DialogueHarness(MailProtocol.Imap, LoginType.SecureLogin, implicitTls: true);
        _ = h.StartReadLogin();

        await h.ExpectAsync("* OK [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ AUTH=PLAIN AUTH=LOGIN] test IMAP4 proxy ready.");
    }

    [Theory]
    [InlineData("a LOGIN bob secret\r\n", "bob", "secret")]
    [InlineData("a login \"b\\\"o b\" \"se\\\\cret x\"\r\n", "b\"o b", "se\\cret x")]
    [InlineData("a LOGIN {3+}\r\nbob {9+}\r\nsec {ret}\r\n", "bob", "sec {ret}")]
    [InlineData("a LOGIN bob {3+}\r\nj\u00f6\r\n", "bob", "j\u00f6")]
    public async Task ReadLogin_LoginForms_ReturnCredentials(string command, string user, string password)
    {
        var h = new DialogueHarness(MailProtocol.Imap);
        var login = h.StartReadLogin();
        await h.ExpectAsync(Greeting);

        await h.SendAsync(command);

        Assert.Equal(new LoginRequest(user, password, "LOGIN"), await Within(login));
        h.ExpectNoMoreOutput();
    }

    [Fact]
    public async Task ReadLogin_SynchronizingLiterals_SendsContinuationBeforeEachLiteral()
    {
        var h = new DialogueHarness(MailProtocol.Imap);
        var login = h.StartReadLogin();
        await h.ExpectAsync(Greeting);

        await h.SendAsync("a LOGIN {3}\r\n");
        await h.ExpectAsync("+ Ready for literal data");
        await h.SendAsync("bob {6}\r\n");
        await h.ExpectAsync("+ Ready for literal data");
        await h.SendAsync("secret\r\n");

        Assert.Equal(new LoginRequest("bob", "secret", "LOGIN"), await Within(login));
    }

    [Fact]
    public async Task AcceptLogin_WritesBackendResponseUnderClientTag()
    {
        var h = new DialogueHarness(MailProtocol.Imap);
        var login = h.StartReadLogin();
        await h.ExpectAsync(Greeting);
        await h.SendAsync("x7 LOGIN bob secret\r\nx8 SELECT INBOX\r\n");
        await Within(login);

        await h.Dialogue.AcceptLoginAsync(Backend("OK [CAPABILITY IMAP4rev1 IDLE] Logged in"), CancellationToken.None);

        await h.ExpectAsync("x7 OK [CAPABILITY IMAP4rev1 IDLE] Logged in");
        Assert.Equal("x8 SELECT INBOX\r\n", h.PendingInput());
    }

    [Theory]
    [InlineData(LoginFailure.InvalidCredentials, "a NO [AUTHENTICATIONFAILED] Authentication failed.")]
    [InlineData(LoginFailure.PrivilegedAccountDenied, "a NO [AUTHENTICATIONFAILED] Authentication failed.")]
    [InlineData(LoginFailure.CrossSiteDenied, "a NO [CONTACTADMIN] Your mailbox is in another site and cannot be reached through this server. Contact your administrator.")]
    [InlineData(LoginFailure.BackendUnavailable, "a NO [UNAVAILABLE] The service is temporarily unavailable. Try again later.")]
    [InlineData(LoginFailure.DirectoryUnavailable, "a NO [UNAVAILABLE] The service is temporarily unavailable. Try again later.")]
    [InlineData(LoginFailure.MailboxNotFound, "a NO [CONTACTADMIN] Your mailbox could not be located. Contact your administrator.")]
    [InlineData(LoginFailure.PrivacyRequired, "a NO [PRIVACYREQUIRED] Plaintext authentication is not allowed without TLS; use STARTTLS first.")]
    [InlineData(LoginFailure.UserConnectionLimit, "a NO [LIMIT] Too many simultaneous connections for this account; close one and try again.")]
    [InlineData(LoginFailure.LockedOut, "a NO [UNAVAILABLE] Too many failed logins; try again later.")]
    public async Task RejectLogin_EachFailure_UsesItsResponseCode(LoginFailure failure, string expected)
    {
        var h = new DialogueHarness(MailProtocol.Imap);
        var login = h.StartReadLogin();
        await h.ExpectAsync(Greeting);
        await h.SendAsync("a LOGIN bob secret\r\n");
        await Within(login);

        await h.Dialogue.RejectLoginAsync(failure, closing: false, CancellationToken.None);

        await h.ExpectAsync(expected);
        h.ExpectNoMoreOutput();
    }

    [Theory]
    [InlineData(ConnectionRefusal.MaxConnections, "* BYE [UNAVAILABLE] Too many connections to this server; try again later.")]
    [InlineData(ConnectionRefusal.MaxConnectionFromSingleIP, "* BYE [UNAVAILABLE] Too many connections from your address; try again later.")]
    public async Task RefuseConnection_InPlaceOfTheGreeting_ByeUnavailable(ConnectionRefusal refusal, string expected)
    {
        var h = new DialogueHarness(MailProtocol.Imap);

        await h.Dialogue.RefuseConnectionAsync(refusal, CancellationToken.None);

        await h.ExpectAsync(expected);
        h.ExpectNoMoreOutput();
    }

    [Fact]
    public async Task RejectLogin_NotClosing_AllowsAnotherLogin()
    {
        var h = new DialogueHarness(MailProtocol.Imap);
        var login = h.StartReadLogin();
        await h.ExpectAsync(Greeting);
        await h.SendAsync("a LOGIN bob wrong\r\n");
        await Within(login);
        await h.Dialogue.RejectLoginAsync(LoginFailure.InvalidCredentials, closing: false, CancellationToken.None);
        await h.ExpectAsync("a NO [AUTHENTICATIONFAILED] Authentication failed.");

        login = h.StartReadLogin();
        await h.SendAsync("b LOGIN bob right\r\n");

        Assert.Equal("right", (await Within(login))!.Password);
        h.ExpectNoMoreOutput();
    }

    [Fact]
    public async Task RejectLogin_Closing_AddsBye()
    {
        var h = new DialogueHarness(MailProtocol.Imap);
        var login = h.StartReadLogin();
        await h.ExpectAsync(Greeting);
        await h.SendAsync("a LOGIN bob secret\r\n");
        await Within(login);

        await h.Dialogue.RejectLoginAsync(LoginFailure.InvalidCredentials, closing: true, CancellationToken.None);

        await h.ExpectAsync("a NO [AUTHENTICATIONFAILED] Authentication failed.", "* BYE Closing connection.");
    }

    [Fact]
    public async Task ReadLogin_AuthenticatePlainWithInitialResponse_ReturnsCredentials()
    {
        var h = new DialogueHarness(MailProtocol.Imap);
        var login = h.StartReadLogin();
        await h.ExpectAsync(Greeting);

        await h.SendAsync($"a AUTHENTICATE PLAIN {Base64("\0bob\0secret")}\r\n");

        Assert.Equal(new LoginRequest("bob", "secret", "PLAIN"), await Within(login));
        h.ExpectNoMoreOutput();
    }

    [Fact]
    public async Task ReadLogin_AuthenticatePlainWithContinuation_ReturnsCredentials()
    {
        var h = new DialogueHarness(MailProtocol.Imap);
        var login = h.StartReadLogin();
        await h.ExpectAsync(Greeting);

        await h.SendAsync("a authenticate plain\r\n");
        await h.ExpectAsync("+ ");
        await h.SendAsync(Base64("bob\0bob\0secret") + "\r\n");

        Assert.Equal(new LoginRequest("bob", "secret", "PLAIN"), await Within(login));
    }

    [Fact]
    public async Task ReadLogin_AuthenticateLogin_AsksUserNameThenPassword()
    {
        var h = new DialogueHarness(MailProtocol.Imap);
        var login = h.StartReadLogin();
        await h.ExpectAsync(Greeting);

        await h.SendAsync("a AUTHENTICATE LOGIN\r\n");
        await h.ExpectAsync("+ VXNlcm5hbWU6");
        await h.SendAsync(Base64("bob") + "\r\n");
        await h.ExpectAsync("+ UGFzc3dvcmQ6");
        await h.SendAsync(Base64("secret") + "\r\n");

        Assert.Equal(new LoginRequest("bob", "secret", "AUTH-LOGIN"), await Within(login));
    }

    [Fact]
    public async Task ReadLogin_AuthenticateLoginWithInitialResponse_AsksOnlyPassword()
    {
        var h = new DialogueHarness(MailProtocol.Imap);
        var login = h.StartReadLogin();
        await h.ExpectAsync(Greeting);

        await h.SendAsync($"a AUTHENTICATE LOGIN {Base64("bob")}\r\n");
        await h.ExpectAsync("+ UGFzc3dvcmQ6");
        await h.SendAsync(Base64("secret") + "\r\n");

        Assert.Equal(new LoginRequest("bob", "secret", "AUTH-LOGIN"), await Within(login));
    }

    [Theory]
    [InlineData("a AUTHENTICATE PLAIN\r\n", "*\r\n", "a BAD Authentication cancelled.")]
    [InlineData("a AUTHENTICATE LOGIN\r\n", "*\r\n", "a BAD Authentication cancelled.")]
    [InlineData("a AUTHENTICATE PLAIN\r\n", "not*base64\r\n", "a BAD Invalid base64 data.")]
    [InlineData("a AUTHENTICATE PLAIN\r\n", "AGJvYgBzZWNyZXQ\r\n", "a BAD Invalid base64 data.")]
    [InlineData("a AUTHENTICATE PLAIN\r\n", "Ym9ic2VjcmV0\r\n", "a NO [AUTHENTICATIONFAILED] Authentication failed.")]
    [InlineData("a AUTHENTICATE PLAIN\r\n", "YWRtaW4AYm9iAHNlY3JldA==\r\n", "a NO [AUTHENTICATIONFAILED] Authentication failed.")]
    [InlineData("a AUTHENTICATE PLAIN\r\n", "AGINCm9iAHNlY3JldA==\r\n", "a NO [AUTHENTICATIONFAILED] Authentication failed.")]
    public async Task ReadLogin_AuthenticateBadResponse_RefusesAndContinues(string command, string response, string expected)
    {
        var h = new DialogueHarness(MailProtocol.Imap);
        var login = h.StartReadLogin();
        await h.ExpectAsync(Greeting);

        await h.SendAsync(command);
        await h.ReadLineAsync();
        await h.SendAsync(response);
        await h.ExpectAsync(expected);

        await h.SendAsync("b LOGOUT\r\n");
        await h.ExpectAsync("* BYE test IMAP4 proxy logging out.", "b OK LOGOUT completed.");
        Assert.Null(await Within(login));
    }

    [Theory]
    [InlineData("a AUTHENTICATE PLAIN bad!\r\n", "a BAD Invalid base64 data.")]
    [InlineData("a AUTHENTICATE PLAIN =\r\n", "a NO [AUTHENTICATIONFAILED] Authentication failed.")]
    [InlineData("a AUTHENTICATE CRAM-MD5\r\n", "a NO Unsupported authentication mechanism.")]
    [InlineData("a AUTHENTICATE\r\n", "a BAD Invalid arguments for AUTHENTICATE.")]
    [InlineData("a AUTHENTICATE PLAIN \"x\"\r\n", "a BAD Invalid arguments for AUTHENTICATE.")]
    [InlineData("a LOGIN bob\r\n", "a BAD Invalid arguments for LOGIN.")]
    [InlineData("a LOGIN bob (x)\r\n", "a BAD Invalid arguments for LOGIN.")]
    [InlineData("a LOGIN \"\" secret\r\n", "a NO [AUTHENTICATIONFAILED] Authentication failed.")]
    [InlineData("a LOGIN {5+}\r\nb\r\nob secret\r\n", "a NO [AUTHENTICATIONFAILED] Authentication failed.")]
    [InlineData("a LOGIN bob {5+}\r\npa\nss\r\n", "a NO [AUTHENTICATIONFAILED] Authentication failed.")]
    [InlineData("a LOGIN {4+}\r\nb\0ob secret\r\n", "a NO [AUTHENTICATIONFAILED] Authentication failed.")]
    [InlineData("a SELECT INBOX\r\n", "a BAD Unknown command, or command not valid before login.")]
    [InlineData("a ENABLE UTF8=ACCEPT\r\n", "a BAD Unknown command, or command not valid before login.")]
    [InlineData("a CAPABILITY now\r\n", "a BAD Invalid arguments for CAPABILITY.")]
    [InlineData("a LOGIN (bob\r\n", "a BAD Syntax error: Unterminated list.")]
    [InlineData("a LOGIN bob \"se\\cret\"\r\n", "a BAD Syntax error: Invalid escape in quoted string.")]
    [InlineData("+ NOOP\r\n", "* BAD Syntax error: Missing or invalid tag.")]
    [InlineData("a LOGIN b\0b x\r\n", "* BAD Syntax error: NUL byte in command line.")]
    [InlineData("a ID (\"name\")\r\n", "a BAD Invalid arguments for ID.")]
    [InlineData("a ID (NIL \"x\")\r\n", "a BAD Invalid arguments for ID.")]
    public async Task ReadLogin_RefusedCommand_AnswersAndContinues(string command, string expected)
    {
        var h = new DialogueHarness(MailProtocol.Imap);
        var login = h.StartReadLogin();
        await h.ExpectAsync(Greeting);

        await h.SendAsync(command);
        await h.ExpectAsync(expected);
        await h.SendAsync("z NOOP\r\n");
        await h.ExpectAsync("z OK NOOP completed.");

        await h.DisconnectAsync();
        Assert.Null(await Within(login));
    }

    [Theory]
    [InlineData("a LOGIN bob secret\r\n", "a NO [PRIVACYREQUIRED] Plaintext authentication is not allowed without TLS; use STARTTLS first.")]
    [InlineData("a AUTHENTICATE PLAIN AGJvYgBzZWNyZXQ=\r\n", "a NO [PRIVACYREQUIRED] Plaintext authentication is not allowed without TLS; use STARTTLS first.")]
    [InlineData("a AUTHENTICATE LOGIN\r\n", "a NO [PRIVACYREQUIRED] Plaintext authentication is not allowed without TLS; use STARTTLS first.")]
    public async Task ReadLogin_CredentialsBeforeTlsWhenRequired_PrivacyRequired(string command, string expected)
    {
        var h = new DialogueHarness(MailProtocol.Imap, LoginType.SecureLogin);
        var login = h.StartReadLogin();
        await h.ReadLineAsync();

        await h.SendAsync(command);
        await h.ExpectAsync(expected);
        await h.DisconnectAsync();

        Assert.Null(await Within(login));
        Assert.Contains("LoginFailedPrivacyRequired", h.Logs.EventNames);
        Assert.DoesNotContain(h.Logs.Entries, e => e.Message.Contains("secret"));
    }

    [Fact]
    public async Task ReadLogin_StartTlsWithPipelinedCommand_DiscardsItAndUpgrades()
    {
        var h = new DialogueHarness(MailProtocol.Imap, LoginType.SecureLogin);
        var login = h.StartReadLogin();
        await h.ReadLineAsync();

        await h.SendAsync("a STARTTLS\r\nb LOGIN bob secret\r\n");
        await h.ExpectAsync("a OK Begin TLS negotiation now.");
        await h.SendAsync("c CAPABILITY\r\n");
        await h.ExpectAsync("* CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ AUTH=PLAIN AUTH=LOGIN", "c OK CAPABILITY completed.");
        await h.SendAsync("d LOGIN bob secret\r\n");

        Assert.Equal(new LoginRequest("bob", "secret", "LOGIN"), await Within(login));
        Assert.Equal(1, h.TlsUpgrades);
        Assert.True(h.Connection.IsEncrypted);
        Assert.Contains("StartTlsPipelinedBytesDiscarded", h.Logs.EventNames);
        h.ExpectNoMoreOutput();
    }

    [Fact]
    public async Task ReadLogin_StartTlsTwice_SecondIsBad()
    {
        var h = new DialogueHarness(MailProtocol.Imap);
        _ = h.StartReadLogin();
        await h.ReadLineAsync();

        await h.SendAsync("a STARTTLS\r\n");
        await h.ExpectAsync("a OK Begin TLS negotiation now.");
        await h.SendAsync("b STARTTLS\r\n");

        await h.ExpectAsync("b BAD TLS is already active.");
        Assert.Equal(1, h.TlsUpgrades);
    }

    [Fact]
    public async Task ReadLogin_StartTlsWithoutCertificate_IsBad()
    {
        var h = new DialogueHarness(MailProtocol.Imap, tls: TlsMode.NoCertificate);
        _ = h.StartReadLogin();
        await h.ExpectAsync("* OK [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ AUTH=PLAIN AUTH=LOGIN] test IMAP4 proxy ready.");

        await h.SendAsync("a STARTTLS\r\n");

        await h.ExpectAsync("a BAD STARTTLS is not available.");
    }

    [Fact]
    public async Task ReadLogin_StartTlsHandshakeFails_EndsSession()
    {
        var h = new DialogueHarness(MailProtocol.Imap, tls: TlsMode.Fails);
        var login = h.StartReadLogin();
        await h.ReadLineAsync();

        await h.SendAsync("a STARTTLS\r\n");
        await h.ExpectAsync("a OK Begin TLS negotiation now.");

        Assert.Null(await Within(login));
        Assert.Contains("StartTlsFailed", h.Logs.EventNames);
    }

    [Fact]
    public async Task ReadLogin_StartTlsHandshakeStalls_EndsAfterTimeout()
    {
        var h = new DialogueHarness(MailProtocol.Imap, tls: TlsMode.Hangs);
        var login = h.StartReadLogin();
        await h.ReadLineAsync();
        await h.Time.WaitForTimerAsync(1);

        await h.SendAsync("a STARTTLS\r\n");
        await h.ExpectAsync("a OK Begin TLS negotiation now.");
        await h.Time.WaitForTimerAsync(2);
        h.Time.Advance(TimeSpan.FromSeconds(60));

        Assert.Null(await Within(login));
        Assert.Contains("StartTlsFailed", h.Logs.EventNames);
    }

    [Fact]
    public async Task RejectLogin_NoPendingLogin_Throws()
    {
        var h = new DialogueHarness(MailProtocol.Imap);

        await Assert.ThrowsAsync<InvalidOperationException>(() => h.Dialogue.RejectLoginAsync(LoginFailure.InvalidCredentials, false, CancellationToken.None).AsTask());
    }

    [Fact]
    public async Task ReadLogin_LineTooLong_SaysByeAndEnds()
    {
        var h = new DialogueHarness(MailProtocol.Imap, configure: o => o.Imap.MaxCommandSize = 64);
        var login = h.StartReadLogin();
        await h.ReadLineAsync();

        await h.SendAsync("a LOGIN " + new string('x', 100));

        await h.ExpectAsync("* BYE Command line too long.");
        Assert.Null(await Within(login));
    }

    [Fact]
    public async Task ReadLogin_OversizedSynchronizingLiteral_RefusedWithoutReadingIt()
    {
        var h = new DialogueHarness(MailProtocol.Imap, configure: o => o.Imap.MaxLiteralSize = 100);
        var login = h.StartReadLogin();
        await h.ReadLineAsync();

        await h.SendAsync("a LOGIN {101}\r\n");
        await h.ExpectAsync("a NO [TOOBIG] Literal too large.");
        await h.SendAsync("b LOGIN bob secret\r\n");

        Assert.Equal("bob", (await Within(login))!.UserName);
    }

    [Fact]
    public async Task ReadLogin_OversizedNonSynchronizingLiteral_SaysByeAndEnds()
    {
        var h = new DialogueHarness(MailProtocol.Imap, configure: o => o.Imap.MaxLiteralSize = 100);
        var login = h.StartReadLogin();
        await h.ReadLineAsync();

        await h.SendAsync("a LOGIN {101+}\r\n" + new string('x', 101));

        await h.ExpectAsync("* BYE [TOOBIG] Literal too large.");
        Assert.Null(await Within(login));
    }

    [Fact]
    public async Task ReadLogin_Id_AnswersAndKeepsClientFields()
    {
        var h = new DialogueHarness(MailProtocol.Imap);
        _ = h.StartReadLogin();
        await h.ReadLineAsync();

        await h.SendAsync("a ID (\"name\" \"Thunderbird\" \"version\" NIL)\r\n");
        await h.ExpectAsync("* ID (\"name\" \"Proxy\")", "a OK ID completed.");

        var dialogue = Assert.IsType<ImapDialogue>(h.Dialogue);
        Assert.Equal([new("name", "Thunderbird"), new("version", null)], dialogue.ClientId!);

        await h.SendAsync("b ID NIL\r\n");
        await h.ExpectAsync("* ID (\"name\" \"Proxy\")", "b OK ID completed.");
        Assert.Null(dialogue.ClientId);
    }

    [Fact]
    public async Task ReadLogin_Silence_SaysByeAfterTimeout()
    {
        var h = new DialogueHarness(MailProtocol.Imap);
        var login = h.StartReadLogin();
        await h.ReadLineAsync();
        await h.Time.WaitForTimerAsync(1);

        h.Time.Advance(TimeSpan.FromSeconds(40));
        await h.SendAsync("a NOOP\r\n");
        await h.ExpectAsync("a OK NOOP completed.");
        await h.Time.WaitForTimerAsync(2);
        h.Time.Advance(TimeSpan.FromSeconds(40));
        Assert.False(login.IsCompleted);
        h.Time.Advance(TimeSpan.FromSeconds(20));

        await h.ExpectAsync("* BYE Disconnected for inactivity.");
        Assert.Null(await Within(login));
        Assert.Contains("PreAuthTimeout", h.Logs.EventNames);
    }

    [Fact]
    public async Task ReadLogin_ClientDisconnects_ReturnsNull()
    {
        var h = new DialogueHarness(MailProtocol.Imap);
        var login = h.StartReadLogin();
        await h.ReadLineAsync();

        await h.SendAsync("a LOG");
        await h.DisconnectAsync();

        Assert.Null(await Within(login));
    }

    [Fact]
    public async Task SayGoodbye_WritesBye()
    {
        var h = new DialogueHarness(MailProtocol.Imap);
        _ = h.StartReadLogin();
        await h.ReadLineAsync();

        await h.Dialogue.SayGoodbyeAsync("Server shutting down.", CancellationToken.None);

        await h.ExpectAsync("* BYE Server shutting down.");
    }

    private static string Base64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));
}
