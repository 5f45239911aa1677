using static Proxy.IntegrationTests.EndToEnd.LabUsers;

namespace Proxy.IntegrationTests.EndToEnd;

/// <summary>
/// <c>openssl s_client</c> as a raw terminal: a scripted dialogue over its stdin, asserted on
/// its transcript, on both listeners of each protocol. -quiet also means "ignore EOF on
/// stdin", so s_client only ends when the proxy closes the connection after LOGOUT / QUIT;
/// it exits 0 only when that close carries a TLS close_notify (OpenSSL 3 reports a bare
/// TCP close as "unexpected eof").
/// </summary>
[Collection(LabCollection.Name)]
public sealed class OpenSslClientTests(LabFixture lab)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(15);

    [Theory]
    [InlineData(true, Alice, HqDb2013)]
    [InlineData(false, Bob, HqDb2010)]
    [InlineData(false, Carol, HqDb2007)]
    public async Task SClientImap_LoginSelectLogout_TranscriptAndClose(bool implicitTls, string user, string database)
    {
        await using var client = StartSClient(implicitTls ? lab.Proxy.ImapsPort : lab.Proxy.ImapPort, implicitTls ? null : "imap");
        if (implicitTls)
        {
            // With -starttls s_client reads the greeting itself and does not print it.
            await client.WaitForOutputAsync("* OK", Bound);
        }

        await client.WriteLineAsync($"a LOGIN {user} {Password}");
        await client.WaitForOutputAsync("a OK", Bound);
        await client.WriteLineAsync("b SELECT INBOX");
        await client.WaitForOutputAsync("b OK [READ-WRITE]", Bound);
        await client.WriteLineAsync("c FETCH 1 BODY.PEEK[HEADER.FIELDS (SUBJECT)]");
        await client.WaitForOutputAsync("c OK", Bound);
        await client.WriteLineAsync("d LOGOUT");
        client.CloseInput();

        await AssertExitedCleanlyAsync(client);
        var transcript = client.StandardOutput;
        Assert.Contains($"Subject: Welcome to {database}", transcript);
        Assert.Matches(@"\* \d+ EXISTS", transcript);
        Assert.Contains("* BYE", transcript);
        Assert.Contains("d OK", transcript);
    }

    [Fact]
    public async Task SClientImap_CommandsPipelinedAfterLogin_AllAnswered()
    {
        await using var client = StartSClient(lab.Proxy.ImapsPort, null);
        await client.WaitForOutputAsync("* OK", Bound);

        // All at once: SELECT and LOGOUT arrive while the proxy is still logging in to the backend.
        await client.WriteLineAsync($"a LOGIN {Alice} {Password}\r\nb SELECT INBOX\r\nc LOGOUT");
        client.CloseInput();

        await AssertExitedCleanlyAsync(client);
        var transcript = client.StandardOutput;
        Assert.Contains("a OK", transcript);
        Assert.Contains("b OK [READ-WRITE]", transcript);
        Assert.Contains("c OK", transcript);
    }

    [Theory]
    [InlineData(true, Carol)]
    [InlineData(false, Bob)]
    public async Task SClientPop3_UserPassStatQuit_TranscriptAndClose(bool implicitTls, string user)
    {
        await using var client = StartSClient(implicitTls ? lab.Proxy.Pop3sPort : lab.Proxy.Pop3Port, implicitTls ? null : "pop3");
        if (implicitTls)
        {
            await client.WaitForOutputAsync("+OK", Bound);
        }

        await client.WriteLineAsync($"USER {user}");
        await WaitForOkCountAsync(client, implicitTls ? 2 : 1);
        await client.WriteLineAsync($"PASS {Password}");
        await WaitForOkCountAsync(client, implicitTls ? 3 : 2);
        await client.WriteLineAsync("STAT");
        await WaitForOkCountAsync(client, implicitTls ? 4 : 3);
        await client.WriteLineAsync("QUIT");
        client.CloseInput();

        await AssertExitedCleanlyAsync(client);
        var lines = client.StandardOutput.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        Assert.All(lines, l => Assert.StartsWith("+OK", l));
        var stat = lines[implicitTls ? 3 : 2].Split(' ');
        Assert.True(int.Parse(stat[1]) >= 3, $"STAT said {lines[implicitTls ? 3 : 2]}");
    }

    private static async Task AssertExitedCleanlyAsync(ExternalProcess client)
    {
        var exitCode = await client.WaitForExitAsync(Bound);
        Assert.True(exitCode == 0, $"s_client exited with {exitCode}.\nstdout:\n{client.StandardOutput}\nstderr:\n{client.StandardError}");
    }

    private ExternalProcess StartSClient(int port, string? startTls)
    {
        List<string> arguments =
        [
            "s_client", "-connect", $"127.0.0.1:{port}", "-quiet",
            "-CAfile", lab.Pki.CaCertificatePath, "-verify_return_error", "-verify_ip", "127.0.0.1",
        ];
        if (startTls is not null)
        {
            arguments.AddRange(["-starttls", startTls]);
        }

        return ExternalProcess.Start("openssl", [.. arguments]);
    }

    /// <summary>POP3 answers carry no tag: count the +OK lines so far.</summary>
    private static async Task WaitForOkCountAsync(ExternalProcess client, int count)
    {
        var deadline = DateTime.UtcNow + Bound;
        while (client.StandardOutput.Split('\n').Count(l => l.StartsWith("+OK", StringComparison.Ordinal)) < count)
        {
            Assert.True(DateTime.UtcNow < deadline, $"fewer than {count} +OK lines:\n{client.StandardOutput}\n{client.StandardError}");
            await Task.Delay(20);
        }
    }
}
