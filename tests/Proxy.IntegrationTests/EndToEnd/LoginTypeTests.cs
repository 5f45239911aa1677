using static Proxy.IntegrationTests.EndToEnd.LabUsers;

namespace Proxy.IntegrationTests.EndToEnd;

/// <summary>
/// Each LoginType on a plaintext listener with python's imaplib and poplib, which log in
/// without STARTTLS when told to: SecureLogin and PlainTextAuthentication refuse the
/// credentials, PlainTextLogin takes them, and a client in TrustedNetworks (the script binds
/// its socket to 127.0.0.5) gets in under SecureLogin while 127.0.0.1 beside it does not.
/// </summary>
[Collection(LabCollection.Name)]
public sealed class LoginTypeTests(LabFixture lab)
{
    private const string Trusted = "127.0.0.5";
    private const string Untrusted = "127.0.0.1";

    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    private const string ImapScript = """
        import imaplib, socket, sys
        port, user, password, source = sys.argv[1:5]
        class Client(imaplib.IMAP4):
            def _create_socket(self, timeout):
                return socket.create_connection((self.host, self.port), timeout, source_address=(source, 0))
        m = Client("127.0.0.1", int(port), timeout=15)
        print("CAPABILITIES", " ".join(m.capabilities))
        try:
            m.login(user, password)
        except imaplib.IMAP4.error as e:
            print("REFUSED", e)
            m.logout()
            sys.exit(0)
        typ, data = m.select("INBOX", readonly=True)
        print("COUNT", int(data[0]))
        m.logout()
        """;

    private const string Pop3Script = """
        import poplib, socket, sys
        port, user, password, source = sys.argv[1:5]
        class Client(poplib.POP3):
            def _create_socket(self, timeout):
                return socket.create_connection((self.host, self.port), timeout, source_address=(source, 0))
        p = Client("127.0.0.1", int(port), timeout=15)
        print("CAPABILITIES", " ".join(p.capa()))
        try:
            p.user(user)
            p.pass_(password)
        except poplib.error_proto as e:
            print("REFUSED", e)
            p.quit()
            sys.exit(0)
        count, size = p.stat()
        print("COUNT", count)
        p.quit()
        """;

    [Theory]
    [InlineData("SecureLogin", null, Untrusted, false)]
    [InlineData("PlainTextAuthentication", null, Untrusted, false)]
    [InlineData("PlainTextLogin", null, Untrusted, true)]
    [InlineData("SecureLogin", "127.0.0.5/32", Trusted, true)]
    [InlineData("SecureLogin", "127.0.0.5/32", Untrusted, false)]
    public async Task Imaplib_LoginWithoutTls_TakenOnlyWhereTheLoginTypeOrTrustAllows(string loginType, string? trustedNetwork, string source, bool accepted)
    {
        await using var proxy = await lab.StartProxyAsync(Settings("Imap", loginType, trustedNetwork));

        var output = await RunAsync(ImapScript, proxy.ImapPort, source);

        var capabilities = Line(output, "CAPABILITIES").Split(' ');
        if (accepted)
        {
            Assert.Contains("AUTH=PLAIN", capabilities);
            Assert.DoesNotContain("LOGINDISABLED", capabilities);
            Assert.True(int.Parse(Line(output, "COUNT")) >= 3, output);
        }
        else
        {
            Assert.Contains("LOGINDISABLED", capabilities);
            Assert.DoesNotContain(capabilities, c => c.StartsWith("AUTH=", StringComparison.Ordinal));
            Assert.Contains("[PRIVACYREQUIRED]", Line(output, "REFUSED"));
            Assert.Empty(proxy.Logs.WithEventId(3200));
        }
    }

    [Theory]
    [InlineData("SecureLogin", null, Untrusted, false)]
    [InlineData("PlainTextAuthentication", null, Untrusted, false)]
    [InlineData("PlainTextLogin", null, Untrusted, true)]
    [InlineData("PlainTextAuthentication", "127.0.0.5", Trusted, true)]
    [InlineData("SecureLogin", "127.0.0.0/30", Trusted, false)]
    public async Task Poplib_UserPassWithoutTls_TakenOnlyWhereTheLoginTypeOrTrustAllows(string loginType, string? trustedNetwork, string source, bool accepted)
    {
        await using var proxy = await lab.StartProxyAsync(Settings("Pop3", loginType, trustedNetwork));

        var output = await RunAsync(Pop3Script, proxy.Pop3Port, source);

        var capabilities = Line(output, "CAPABILITIES").Split(' ');
        Assert.Contains("STLS", capabilities);
        if (accepted)
        {
            Assert.Contains("USER", capabilities);
            Assert.Contains("SASL", capabilities);
            Assert.True(int.Parse(Line(output, "COUNT")) >= 3, output);
        }
        else
        {
            Assert.DoesNotContain("USER", capabilities);
            Assert.DoesNotContain("SASL", capabilities);
            Assert.Contains("-ERR [AUTH]", Line(output, "REFUSED"));
            Assert.Empty(proxy.Logs.WithEventId(3200));
        }
    }

    private static Dictionary<string, string?> Settings(string protocol, string loginType, string? trustedNetwork)
    {
        var settings = new Dictionary<string, string?> { [$"Proxy:{protocol}:LoginType"] = loginType };
        if (trustedNetwork is not null)
        {
            settings[$"Proxy:{protocol}:TrustedNetworks:0"] = trustedNetwork;
        }

        return settings;
    }

    private static async Task<string> RunAsync(string script, int port, string source)
    {
        var (exitCode, output, error) = await ExternalProcess.RunAsync(Bound, "python3", "-c", script, port.ToString(), Alice, Password, source);
        Assert.True(exitCode == 0, $"python failed ({exitCode}):\n{output}\n{error}");
        return output;
    }

    private static string Line(string output, string prefix) =>
        output.Split('\n', StringSplitOptions.TrimEntries).FirstOrDefault(l => l.StartsWith(prefix + " ", StringComparison.Ordinal))?[(prefix.Length + 1)..]
            ?? throw new Xunit.Sdk.XunitException($"No {prefix} line in:\n{output}");
}
