using System.Net;
using System.Text;
using Proxy.Core.Configuration;
using Proxy.Core.Sessions;
using Proxy.Core.Sessions.ProtocolLog;
using Proxy.Core.Tests.PreAuth;
using static Proxy.Core.Tests.PreAuth.DialogueHarness;

namespace Proxy.Core.Tests.Sessions.ProtocolLog;

/// <summary>
/// Every way a client hands over credentials, through the real dialogues into a real log file:
/// the password (and any base64 that carries it) never reaches the disk, <c>****</c> stands in
/// its place, and the user name is logged only once it was parsed.
/// </summary>
public sealed class ProtocolLogRedactionTests : IDisposable
{
    private const string Password = "S3cr3t-Pa55!zq";

    private readonly ProtocolLogTestSink _log = new();

    public void Dispose() => _log.Dispose();

    [Fact]
    public async Task ImapLogin_QuotedPassword_RedactedAndUserLogged()
    {
        var h = Start(MailProtocol.Imap);
        var login = h.StartReadLogin();
        await h.ReadLineAsync();

        await h.SendAsync($"a1 LOGIN alice \"{Password}\"\r\n");
        Assert.Equal(Password, (await Within(login))!.Password);
        await h.Dialogue.RejectLoginAsync(LoginFailure.InvalidCredentials, closing: false, CancellationToken.None);
        await h.ExpectAsync("a1 NO [AUTHENTICATIONFAILED] Authentication failed.");

        var row = await LoginRowAsync(h, "LOGIN");
        Assert.Equal("alice", row[5]);
        Assert.Equal("a1 alice ****", row[10]);
        Assert.Equal("R=NO [AUTHENTICATIONFAILED];outcome=invalid_credentials", row[11]);
    }

    [Fact]
    public async Task ImapLogin_LiteralPassword_RedactedWithLiteralBytesCounted()
    {
        var h = Start(MailProtocol.Imap);
        var login = h.StartReadLogin();
        await h.ReadLineAsync();

        var line = $"a1 LOGIN alice {{{Password.Length}}}\r\n";
        await h.SendAsync(line);
        await h.ExpectAsync("+ Ready for literal data");
        await h.SendAsync(Password + "\r\n");
        Assert.Equal(Password, (await Within(login))!.Password);
        await h.Dialogue.AcceptLoginAsync(Backend("OK Logged in"), CancellationToken.None);

        var row = await LoginRowAsync(h, "LOGIN");
        Assert.Equal("a1 alice ****", row[10]);
        Assert.Equal("R=OK;outcome=success", row[11]);
        Assert.Equal((line.Length + Password.Length + 2).ToString(System.Globalization.CultureInfo.InvariantCulture), row[7]);
    }

    [Fact]
    public async Task ImapAuthenticatePlain_InitialResponse_BlobNeverLoggedUserAfterParsing()
    {
        var h = Start(MailProtocol.Imap);
        var login = h.StartReadLogin();
        await h.ReadLineAsync();

        await h.SendAsync($"a1 AUTHENTICATE PLAIN {Plain("alice")}\r\n");
        await Within(login);
        await h.Dialogue.RejectLoginAsync(LoginFailure.CrossSiteDenied, closing: false, CancellationToken.None);

        var row = await LoginRowAsync(h, "AUTHENTICATE", Plain("alice"));
        Assert.Equal("alice", row[5]);
        Assert.Equal("a1 PLAIN ****", row[10]);
        Assert.Equal("R=NO [CONTACTADMIN];outcome=cross_site_denied", row[11]);
    }

    [Fact]
    public async Task ImapAuthenticatePlain_Continuation_LineRedacted()
    {
        var h = Start(MailProtocol.Imap);
        var login = h.StartReadLogin();
        await h.ReadLineAsync();

        await h.SendAsync("a1 AUTHENTICATE PLAIN\r\n");
        await h.ExpectAsync("+ ");
        await h.SendAsync(Plain("alice") + "\r\n");
        await Within(login);
        await h.Dialogue.AcceptLoginAsync(Backend("OK Logged in"), CancellationToken.None);

        var row = await LoginRowAsync(h, "AUTHENTICATE", Plain("alice"));
        Assert.Equal("a1 PLAIN ****", row[10]);
    }

    [Fact]
    public async Task ImapAuthenticatePlain_ForeignAuthorizationIdentity_NeitherBlobNorNamesLogged()
    {
        var h = Start(MailProtocol.Imap);
        var login = h.StartReadLogin();
        await h.ReadLineAsync();

        var blob = Convert.ToBase64String(Encoding.UTF8.GetBytes($"mallory\0alice\0{Password}"));
        await h.SendAsync($"a1 AUTHENTICATE PLAIN {blob}\r\n");
        await h.ExpectAsync("a1 NO [AUTHENTICATIONFAILED] Authentication failed.");
        await h.SendAsync("a2 LOGOUT\r\n");
        Assert.Null(await Within(login));

        var text = await FinishAsync(h, blob);
        Assert.DoesNotContain("mallory", text);
        var row = Assert.Single(_log.Rows(), r => r[9] == "AUTHENTICATE");
        Assert.Equal("", row[5]);
        Assert.Equal("a1 PLAIN ****", row[10]);
        Assert.Equal("R=NO [AUTHENTICATIONFAILED]", row[11]);
    }

    [Fact]
    public async Task ImapAuthenticateLogin_BothLinesRedacted()
    {
        var h = Start(MailProtocol.Imap);
        var login = h.StartReadLogin();
        await h.ReadLineAsync();

        await h.SendAsync("a1 AUTHENTICATE LOGIN\r\n");
        await h.ExpectAsync("+ VXNlcm5hbWU6");
        await h.SendAsync(B64("alice") + "\r\n");
        await h.ExpectAsync("+ UGFzc3dvcmQ6");
        await h.SendAsync(B64(Password) + "\r\n");
        await Within(login);
        await h.Dialogue.AcceptLoginAsync(Backend("OK Logged in"), CancellationToken.None);

        var row = await LoginRowAsync(h, "AUTHENTICATE", B64(Password));
        Assert.Equal("a1 LOGIN **** ****", row[10]);
        Assert.Equal("alice", row[5]);
    }

    [Fact]
    public async Task Pop3UserPass_PassRedacted()
    {
        var h = Start(MailProtocol.Pop3);
        var login = h.StartReadLogin();
        await h.ReadLineAsync();

        await h.SendAsync("USER alice\r\n");
        await h.ExpectAsync("+OK Send your password.");
        await h.SendAsync($"PASS {Password}\r\n");
        await Within(login);
        await h.Dialogue.RejectLoginAsync(LoginFailure.InvalidCredentials, closing: false, CancellationToken.None);

        await FinishAsync(h);
        var rows = _log.Rows();
        var user = Assert.Single(rows, r => r[9] == "USER");
        Assert.Equal(["alice", "R=+OK"], user[10..]);
        var pass = Assert.Single(rows, r => r[9] == "PASS");
        Assert.Equal(["****", "R=-ERR [AUTH];outcome=invalid_credentials"], pass[10..]);
    }

    [Fact]
    public async Task Pop3AuthPlain_InitialResponseRedacted()
    {
        var h = Start(MailProtocol.Pop3);
        var login = h.StartReadLogin();
        await h.ReadLineAsync();

        await h.SendAsync($"AUTH PLAIN {Plain("alice")}\r\n");
        await Within(login);
        await h.Dialogue.AcceptLoginAsync(Backend("+OK Logged in."), CancellationToken.None);

        var row = await LoginRowAsync(h, "AUTH", Plain("alice"));
        Assert.Equal(["PLAIN ****", "R=+OK;outcome=success"], row[10..]);
    }

    [Fact]
    public async Task Pop3AuthLogin_BothLinesRedacted()
    {
        var h = Start(MailProtocol.Pop3);
        var login = h.StartReadLogin();
        await h.ReadLineAsync();

        await h.SendAsync("AUTH LOGIN\r\n");
        await h.ExpectAsync("+ VXNlcm5hbWU6");
        await h.SendAsync(B64("alice") + "\r\n");
        await h.ExpectAsync("+ UGFzc3dvcmQ6");
        await h.SendAsync(B64(Password) + "\r\n");
        await Within(login);
        await h.Dialogue.AcceptLoginAsync(Backend("+OK Logged in."), CancellationToken.None);

        var row = await LoginRowAsync(h, "AUTH", B64(Password));
        Assert.Equal("LOGIN **** ****", row[10]);
    }

    [Fact]
    public async Task Pop3Apop_NotSupportedButDigestRedacted()
    {
        var h = Start(MailProtocol.Pop3);
        var login = h.StartReadLogin();
        await h.ReadLineAsync();

        await h.SendAsync($"APOP alice {Password}\r\n");
        await h.ExpectAsync("-ERR Unknown command, or command not valid before login.");
        await h.SendAsync("QUIT\r\n");
        Assert.Null(await Within(login));

        await FinishAsync(h);
        var row = Assert.Single(_log.Rows(), r => r[9] == "APOP");
        Assert.Equal(["alice ****", "R=-ERR"], row[10..]);
    }

    [Fact]
    public async Task UnknownCommand_ArgumentsNeverLogged()
    {
        var h = Start(MailProtocol.Imap);
        var login = h.StartReadLogin();
        await h.ReadLineAsync();

        await h.SendAsync($"a1 XSECRET {Password}\r\n");
        await h.ExpectAsync("a1 BAD Unknown command, or command not valid before login.");
        await h.SendAsync("a2 LOGOUT\r\n");
        Assert.Null(await Within(login));

        await FinishAsync(h);
        var rows = _log.Rows();
        Assert.Equal(["OpenSession", "XSECRET", "LOGOUT", "CloseSession"], rows.Select(r => r[9]));
        Assert.Equal(["a1", "R=BAD"], rows[1][10..]);
        Assert.Equal(["a2", "R=OK"], rows[2][10..]);
        Assert.Equal(Enumerable.Range(1, 4).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), rows.Select(r => r[2]));
    }

    private static string B64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    private static string Plain(string user) => B64($"\0{user}\0{Password}");

    private DialogueHarness Start(MailProtocol protocol)
    {
        var h = new DialogueHarness(protocol, LoginType.PlainTextLogin, remoteEndPoint: new IPEndPoint(IPAddress.Loopback, 40000));
        h.Connection.ProtocolLog = new ProtocolLogSession(_log.Sink, h.Time, h.Connection);
        return h;
    }

    /// <summary>Ends the session's log and checks that no form of the password reached the disk.</summary>
    private async Task<string> FinishAsync(DialogueHarness h, params string[] alsoSecret)
    {
        h.Connection.ProtocolLog!.Closed(null);
        var text = await _log.FinishAsync();
        Assert.Contains("#Fields: dateTime,sessionId,seqNumber", text);
        foreach (var secret in alsoSecret.Append(Password).Append(B64(Password)))
        {
            Assert.DoesNotContain(secret, text);
        }

        return text;
    }

    private async Task<string[]> LoginRowAsync(DialogueHarness h, string command, params string[] alsoSecret)
    {
        await FinishAsync(h, alsoSecret);
        return Assert.Single(_log.Rows(), r => r[9] == command);
    }
}
