using static Proxy.IntegrationTests.EndToEnd.LabUsers;

namespace Proxy.IntegrationTests.EndToEnd;

/// <summary>Python's imaplib and poplib, clients we did not write, trusting only the test CA.</summary>
[Collection(LabCollection.Name)]
public sealed class PythonClientTests(LabFixture lab)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    private const string ImapScript = """
        import imaplib, ssl, sys
        mode, port, user, password, ca = sys.argv[1:6]
        context = ssl.create_default_context(cafile=ca)
        if mode == "ssl":
            m = imaplib.IMAP4_SSL("127.0.0.1", int(port), ssl_context=context, timeout=15)
        else:
            m = imaplib.IMAP4("127.0.0.1", int(port), timeout=15)
            m.starttls(ssl_context=context)
        m.login(user, password)
        typ, data = m.select("INBOX", readonly=True)
        print("COUNT", int(data[0]))
        typ, data = m.fetch("1", "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
        print(data[0][1].decode().strip())
        m.logout()
        """;

    private const string Pop3Script = """
        import poplib, ssl, sys
        mode, port, user, password, ca = sys.argv[1:6]
        context = ssl.create_default_context(cafile=ca)
        if mode == "ssl":
            p = poplib.POP3_SSL("127.0.0.1", int(port), context=context, timeout=15)
        else:
            p = poplib.POP3("127.0.0.1", int(port), timeout=15)
            p.stls(context=context)
        p.user(user)
        p.pass_(password)
        count, size = p.stat()
        print("COUNT", count)
        resp, lines, octets = p.retr(1)
        print(next(l.decode() for l in lines if l.lower().startswith(b"subject:")))
        p.quit()
        """;

    [Theory]
    [InlineData("ssl", Alice, Password, HqDb2013)]
    [InlineData("starttls", Bob, Password, HqDb2010)]
    [InlineData("ssl", Erin, ErinPassword, HqDb2013)]
    [InlineData("starttls", Carol, Password, HqDb2007)]
    public async Task Imaplib_Login_ReadsWelcomeSubject(string mode, string user, string password, string database)
    {
        var port = mode == "ssl" ? lab.Proxy.ImapsPort : lab.Proxy.ImapPort;

        var (exitCode, output, error) = await ExternalProcess.RunAsync(
            Bound, "python3", "-c", ImapScript, mode, port.ToString(), user, password, lab.Pki.CaCertificatePath);

        Assert.True(exitCode == 0, $"imaplib failed ({exitCode}):\n{output}\n{error}");
        AssertWelcome(output, database);
    }

    [Theory]
    [InlineData("ssl", Bob, Password, HqDb2010)]
    [InlineData("starttls", Carol, Password, HqDb2007)]
    [InlineData("ssl", Alice, Password, HqDb2013)]
    [InlineData("starttls", Erin, ErinPassword, HqDb2013)]
    public async Task Poplib_Login_ReadsWelcomeSubject(string mode, string user, string password, string database)
    {
        var port = mode == "ssl" ? lab.Proxy.Pop3sPort : lab.Proxy.Pop3Port;

        var (exitCode, output, error) = await ExternalProcess.RunAsync(
            Bound, "python3", "-c", Pop3Script, mode, port.ToString(), user, password, lab.Pki.CaCertificatePath);

        Assert.True(exitCode == 0, $"poplib failed ({exitCode}):\n{output}\n{error}");
        AssertWelcome(output, database);
    }

    private static void AssertWelcome(string output, string database)
    {
        var lines = output.Split('\n', StringSplitOptions.TrimEntries);
        var count = int.Parse(lines.Single(l => l.StartsWith("COUNT ", StringComparison.Ordinal))["COUNT ".Length..]);
        Assert.True(count >= 3, $"{count} messages");
        Assert.Contains($"Subject: Welcome to {database}", lines);
    }
}
