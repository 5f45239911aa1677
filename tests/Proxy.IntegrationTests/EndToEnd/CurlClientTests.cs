using static Proxy.IntegrationTests.EndToEnd.LabUsers;

namespace Proxy.IntegrationTests.EndToEnd;

/// <summary>curl, a client we did not write, reading the first message over every listener.</summary>
[Collection(LabCollection.Name)]
public sealed class CurlClientTests(LabFixture lab)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData("imaps", Alice, Password, HqDb2013)]
    [InlineData("imap", Bob, Password, HqDb2010)]
    [InlineData("imaps", Erin, ErinPassword, HqDb2013)]
    [InlineData("pop3s", Carol, Password, HqDb2007)]
    [InlineData("pop3", Alice, Password, HqDb2013)]
    [InlineData("pop3s", Erin, ErinPassword, HqDb2013)]
    public async Task Curl_FirstMessage_HasWelcomeSubject(string scheme, string user, string password, string database)
    {
        var (port, path) = scheme switch
        {
            "imaps" => (lab.Proxy.ImapsPort, "INBOX;MAILINDEX=1"),
            "imap" => (lab.Proxy.ImapPort, "INBOX;MAILINDEX=1"),
            "pop3s" => (lab.Proxy.Pop3sPort, "1"),
            _ => (lab.Proxy.Pop3Port, "1"),
        };

        // --ssl-reqd: on the plain listeners curl must upgrade with STARTTLS / STLS or fail.
        var (exitCode, output, error) = await ExternalProcess.RunAsync(
            Bound, "curl", "--silent", "--show-error", "--max-time", "20", "--ssl-reqd",
            "--cacert", lab.Pki.CaCertificatePath, "--user", $"{user}:{password}",
            $"{scheme}://127.0.0.1:{port}/{path}");

        Assert.True(exitCode == 0, $"curl failed ({exitCode}):\n{output}\n{error}");
        Assert.Contains($"Subject: Welcome to {database}", output.Split('\n', StringSplitOptions.TrimEntries));
    }
}
