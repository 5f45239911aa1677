using System.Globalization;
using System.Text;
using MailKit.Security;
using Proxy.IntegrationTests.EndToEnd;
using Proxy.IntegrationTests.Harness;
using Proxy.IntegrationTests.Telemetry;
using static Proxy.IntegrationTests.Telemetry.TelemetryFixture;

namespace Proxy.IntegrationTests.ProtocolLog;

/// <summary>
/// The per-session protocol log with the real proxy, a real Dovecot and real clients: what an
/// operator finds in the folder after a session, and what never gets there (a password). The
/// telemetry tests' fixture fits as it is: one Dovecot, alice in the proxy's site, dave in another,
/// a distinctive password, and a fresh proxy per test so its log holds only that test's sessions.
/// </summary>
public sealed class ProtocolLogTests(TelemetryFixture fixture) : IClassFixture<TelemetryFixture>
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    private const string ImapScript = """
        import imaplib, ssl, sys
        port, user, password, ca = sys.argv[1:5]
        m = imaplib.IMAP4("127.0.0.1", int(port), timeout=15)
        m.starttls(ssl_context=ssl.create_default_context(cafile=ca))
        print("PORT", m.sock.getsockname()[1])
        m.login(user, password)
        typ, data = m.select("INBOX", readonly=True)
        m.noop()
        m.logout()
        """;

    [Fact]
    public async Task Imaplib_StartTlsLoginLogout_RowsInOrderWithHeaderAndNoPassword()
    {
        await using var proxy = await fixture.StartProxyAsync(settings: new Dictionary<string, string?> { ["Proxy:Imap:ProtocolLog:ProtocolLogEnabled"] = "true" });
        var log = new ProtocolLogFolder(Path.Combine(proxy.ContentRoot, "logs", "Imap4"));

        var (exitCode, output, error) = await ExternalProcess.RunAsync(
            Bound, "python3", "-c", ImapScript, proxy.ImapPort.ToString(CultureInfo.InvariantCulture), Alice, Password, fixture.Pki.CaCertificatePath);
        Assert.True(exitCode == 0, $"imaplib failed ({exitCode}):\n{output}\n{error}");
        var clientPort = output.Split('\n').Single(l => l.StartsWith("PORT ", StringComparison.Ordinal))[5..].Trim();

        var rows = await log.WaitForAsync(r => r.Any(x => x.Command == "CloseSession"));

        var file = Assert.Single(log.Files);
        Assert.Matches(@"^IMAP4\d{8}-1\.LOG$", file);
        var header = log.Lines.TakeWhile(l => l.StartsWith('#')).ToList();
        Assert.Equal(["#Software: Proxy", "#Log-type: IMAP4 Protocol Log", "#Fields: dateTime,sessionId,seqNumber,sIp,cIp,user,duration,rqsize,rpsize,command,parameters,context"],
            header.Where(h => !h.StartsWith("#Version", StringComparison.Ordinal) && !h.StartsWith("#Date", StringComparison.Ordinal)));

        // One session: one id, sequence numbers 1..n in file order, the client's own address and port.
        Assert.Single(rows.Select(r => r.SessionId).Distinct());
        Assert.Equal(Enumerable.Range(1, rows.Count), rows.Select(r => r.SeqNumber));
        Assert.All(rows, r => Assert.Equal($"127.0.0.1:{clientPort}", r.ClientIp));
        Assert.All(rows, r => Assert.Equal($"127.0.0.1:{proxy.ImapPort}", r.ServerIp));

        var commands = rows.Select(r => r.Command).ToList();
        Assert.Equal("OpenSession", commands[0]);
        Assert.Equal("CloseSession", commands[^1]);
        var startTls = rows.Single(r => r.Command == "STARTTLS");
        Assert.Equal("R=OK;tls=established", startTls.Context);
        var login = rows.Single(r => r.Command == "LOGIN");
        Assert.Matches(@"^\S+ alice@contoso\.lab \*\*\*\*$", login.Parameters);
        Assert.Equal("R=OK;outcome=success", login.Context);
        Assert.Equal(Alice, login.User);
        Assert.True(login.RequestSize > 0 && login.ResponseSize > 0, login.ToString());
        var backend = rows[login.SeqNumber - 2];
        Assert.Equal("Proxy", backend.Command);
        Assert.StartsWith($"Proxy:127.0.0.1:{fixture.Backend.ImapSslPort}:Ssl;server=HQ-MBX2013;site=HQ;attempt=1/", backend.Context);
        Assert.Equal("OK [CAPABILITY] Logged in", backend.Parameters);
        var relay = rows[^2];
        Assert.Equal("Relay", relay.Command);
        Assert.Equal("HQ-MBX2013", relay.Parameters);
        Assert.Matches("^closedBy=(client|backend);end=", relay.Context);
        Assert.True(relay.RequestSize > 0 && relay.ResponseSize > 0, relay.ToString());
        Assert.True(commands.IndexOf("STARTTLS") < commands.IndexOf("LOGIN"));
        Assert.Contains("CAPABILITY", commands.Skip(commands.IndexOf("STARTTLS")));
        Assert.DoesNotContain("SELECT", commands);

        AssertNoSecret(log, Password);
    }

    [Fact]
    public async Task MailKitPop3_StlsLogin_HourlyFileInConfiguredFolderAndNoPassword()
    {
        var folder = Directory.CreateTempSubdirectory("plog-pop3-").FullName;
        try
        {
            await using var proxy = await fixture.StartProxyAsync(settings: new Dictionary<string, string?>
            {
                ["Proxy:Pop3:ProtocolLog:ProtocolLogEnabled"] = "true",
                ["Proxy:Pop3:ProtocolLog:LogFileLocation"] = folder,
                ["Proxy:Pop3:ProtocolLog:LogFileRollOverSettings"] = "Hourly",
            });
            var log = new ProtocolLogFolder(folder);

            using (var client = await MailClients.ConnectPop3Async(fixture.Pki, proxy.Pop3Port, SecureSocketOptions.StartTls))
            {
                await client.AuthenticateAsync(Alice, Password);
                await client.GetMessageCountAsync();
                await client.DisconnectAsync(quit: true);
            }

            var rows = await log.WaitForAsync(r => r.Any(x => x.Command == "CloseSession"));

            Assert.Matches(@"^POP3\d{10}-1\.LOG$", Assert.Single(log.Files));
            Assert.Contains("#Log-type: POP3 Protocol Log", log.Lines);
            Assert.Equal("R=+OK;tls=established", rows.Single(r => r.Command == "STLS").Context);
            var login = rows.Single(r => r.Context.EndsWith("outcome=success", StringComparison.Ordinal));
            Assert.Contains(login.Command, new[] { "PASS", "AUTH" });
            Assert.StartsWith("R=+OK", login.Context);
            Assert.Equal(Alice, login.User);
            Assert.Equal("Proxy", rows[login.SeqNumber - 2].Command);
            Assert.Equal(["Relay", "CloseSession"], rows.TakeLast(2).Select(r => r.Command));
            Assert.False(Directory.Exists(Path.Combine(proxy.ContentRoot, "logs")), "only the configured folder is written to");
            AssertNoSecret(log, Password);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task FailedAndCrossSiteLogins_OutcomesLoggedNoBackendRowNoPassword()
    {
        const string WrongPassword = "Wr0ng-Walrus-Pass-57";
        await using var proxy = await fixture.StartProxyAsync(settings: new Dictionary<string, string?> { ["Proxy:Imap:ProtocolLog:ProtocolLogEnabled"] = "true" });
        var log = new ProtocolLogFolder(Path.Combine(proxy.ContentRoot, "logs", "Imap4"));

        await using (var client = await RawMailClient.ConnectEncryptedAsync(MailProtocolKind.Imap, proxy.ImapsPort, fixture.Pki, implicitTls: true))
        {
            Assert.StartsWith("a NO [AUTHENTICATIONFAILED]", await client.ImapCommandAsync("a", $"LOGIN {Alice} {WrongPassword}"));
            Assert.StartsWith("b NO [CONTACTADMIN]", await client.ImapCommandAsync("b", $"LOGIN {Dave} {Password}"));
            Assert.StartsWith("c OK", await client.ImapCommandAsync("c", "LOGOUT"));
        }

        var rows = await log.WaitForAsync(r => r.Any(x => x.Command == "CloseSession"));

        Assert.Equal("listener=127.0.0.1:" + proxy.ImapsPort + ";tls=implicit", rows[0].Context);
        var logins = rows.Where(r => r.Command == "LOGIN").ToList();
        Assert.Equal(2, logins.Count);
        Assert.Equal(["a alice@contoso.lab ****", "R=NO [AUTHENTICATIONFAILED];outcome=invalid_credentials"], [logins[0].Parameters, logins[0].Context]);
        Assert.Equal(["b dave@contoso.lab ****", "R=NO [CONTACTADMIN];outcome=cross_site_denied"], [logins[1].Parameters, logins[1].Context]);
        Assert.DoesNotContain(rows, r => r.Command is "Proxy" or "Relay");
        AssertNoSecret(log, WrongPassword);
        AssertNoSecret(log, Password);
    }

    [Fact]
    public async Task HostileUserNameWithCrLf_RefusedBeforeAnyBackendAndCannotForgeARow()
    {
        await using var proxy = await fixture.StartProxyAsync(settings: new Dictionary<string, string?> { ["Proxy:Imap:ProtocolLog:ProtocolLogEnabled"] = "true" });
        var log = new ProtocolLogFolder(Path.Combine(proxy.ContentRoot, "logs", "Imap4"));
        var forged = "2026-01-01T00:00:00.000Z,forged,1,127.0.0.9:1,127.0.0.9:2,admin,0,0,0,LOGIN,x ****,R=OK;outcome=success";
        var user = $"eve\r\n{forged}\r\n#Fields: fake";

        await using (var client = await RawMailClient.ConnectEncryptedAsync(MailProtocolKind.Imap, proxy.ImapsPort, fixture.Pki, implicitTls: true))
        {
            await client.WriteLineAsync($"h LOGIN {{{Encoding.UTF8.GetByteCount(user)}}}");
            Assert.StartsWith("+ ", await client.ReadLineAsync());
            await client.WriteLineAsync($"{user} {Password}");
            Assert.Equal("h NO [AUTHENTICATIONFAILED] Authentication failed.", await client.ReadLineAsync());
            Assert.StartsWith("i OK", await client.ImapCommandAsync("i", "LOGOUT"));
        }

        var rows = await log.WaitForAsync(r => r.Any(x => x.Command == "CloseSession"));

        Assert.DoesNotContain(log.Lines, l => l.StartsWith("2026-01-01T00:00:00.000Z", StringComparison.Ordinal) || l.StartsWith("#Fields: fake", StringComparison.Ordinal));
        Assert.Single(rows.Select(r => r.SessionId).Distinct());
        Assert.DoesNotContain(rows, r => r.SessionId == "forged" || r.Command == "Proxy");
        var login = rows.Single(r => r.Command == "LOGIN");
        Assert.Equal("h eve\\r\\n" + forged + "\\r\\n#Fields: fake ****", login.Parameters);
        Assert.Equal("R=NO [AUTHENTICATIONFAILED]", login.Context);
        Assert.Equal("", login.User);
        Assert.Contains(proxy.Logs.WithEventId(3111), e => e.Message.Contains("CR, LF or NUL", StringComparison.Ordinal));
        AssertNoSecret(log, Password);
    }

    [Fact]
    public async Task LogOffByDefault_SessionsLeaveNoFileAndNoFolder()
    {
        await using var proxy = await fixture.StartProxyAsync();
        var before = Directory.GetFileSystemEntries(proxy.ContentRoot, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();

        using (var client = await MailClients.ConnectImapAsync(fixture.Pki, proxy.ImapPort, SecureSocketOptions.StartTls))
        {
            await client.AuthenticateAsync(Alice, Password);
            await client.Inbox.OpenAsync(MailKit.FolderAccess.ReadOnly);
            await client.DisconnectAsync(quit: true);
        }

        using (var client = await MailClients.ConnectPop3Async(fixture.Pki, proxy.Pop3sPort, SecureSocketOptions.SslOnConnect))
        {
            await client.AuthenticateAsync(Alice, Password);
            await client.DisconnectAsync(quit: true);
        }

        await WaitForSessionsEndedAsync(proxy, 2);
        Assert.Equal(before, Directory.GetFileSystemEntries(proxy.ContentRoot, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal));
        Assert.DoesNotContain(proxy.Logs.Entries, e => e.EventId is >= 3620 and <= 3639);
    }

    /// <summary>Every byte of the folder: the secret neither in clear nor in any base64 form a SASL exchange would carry.</summary>
    private static void AssertNoSecret(ProtocolLogFolder log, string secret)
    {
        var text = log.AllBytes;
        Assert.False(string.IsNullOrEmpty(text), "the log folder is empty");
        Assert.DoesNotContain(secret, text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(Convert.ToBase64String(Encoding.UTF8.GetBytes(secret)), text);
        Assert.DoesNotContain(Convert.ToBase64String(Encoding.UTF8.GetBytes($"\0{Alice}\0{secret}")), text);
    }

    private static async Task WaitForSessionsEndedAsync(ProxyUnderTest proxy, int count)
    {
        using var limit = new CancellationTokenSource(Bound);
        while (proxy.Logs.WithEventId(3101).Count() < count)
        {
            await Task.Delay(50, limit.Token);
        }
    }
}
