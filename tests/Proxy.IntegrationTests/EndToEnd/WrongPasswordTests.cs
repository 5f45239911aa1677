using MailKit.Security;
using Proxy.IntegrationTests.Harness;
using static Proxy.IntegrationTests.EndToEnd.LabUsers;
using static Proxy.IntegrationTests.EndToEnd.MailClients;

namespace Proxy.IntegrationTests.EndToEnd;

/// <summary>A wrong password is answered by the proxy's directory and never reaches a backend.</summary>
[Collection(LabCollection.Name)]
public sealed class WrongPasswordTests(LabFixture lab)
{
    private static readonly int[] BackendAttemptEvents = [3300, 3301];

    [Fact]
    public async Task ImapLogin_WrongPassword_AuthenticationFailedWithoutBackendConnection()
    {
        await using var client = await RawMailClient.ConnectAsync(lab.Proxy.ImapsPort, lab.Pki);
        await client.ReadLineAsync();
        var attemptsBefore = BackendAttempts();
        var invalidBefore = lab.Proxy.Logs.WithEventId(3201).Count();

        var answer = await client.ImapCommandAsync("a", $"LOGIN {Alice} Wr0ngPassword");

        Assert.Equal("a NO [AUTHENTICATIONFAILED] Authentication failed.", answer);
        Assert.True(lab.Proxy.Logs.WithEventId(3201).Count() > invalidBefore, "no event 3201 for the wrong password");
        Assert.Equal(attemptsBefore, BackendAttempts());
    }

    [Fact]
    public async Task ImapLogin_WrongPasswordWithMailKit_ThrowsAuthenticationException()
    {
        using var client = await ConnectImapAsync(lab.Pki, lab.Proxy.ImapPort, SecureSocketOptions.StartTls);
        var attemptsBefore = BackendAttempts();

        await Assert.ThrowsAsync<AuthenticationException>(() => client.AuthenticateAsync(Bob, "Wr0ngPassword"));

        Assert.Equal(attemptsBefore, BackendAttempts());
    }

    [Fact]
    public async Task Pop3Login_WrongPassword_AuthErrorWithoutBackendConnection()
    {
        await using var client = await RawMailClient.ConnectAsync(lab.Proxy.Pop3sPort, lab.Pki);
        await client.ReadLineAsync();
        var attemptsBefore = BackendAttempts();

        await client.WriteLineAsync($"USER {Carol}");
        Assert.StartsWith("+OK", await client.ReadLineAsync());
        await client.WriteLineAsync("PASS Wr0ngPassword");

        Assert.StartsWith("-ERR [AUTH]", await client.ReadLineAsync());
        Assert.Equal(attemptsBefore, BackendAttempts());
    }

    [Fact]
    public async Task ImapLogin_MaxFailedLoginAttemptsReached_ConnectionClosed()
    {
        await using var client = await RawMailClient.ConnectAsync(lab.Proxy.ImapsPort, lab.Pki);
        await client.ReadLineAsync();

        // MaxFailedLoginAttempts defaults to 4: three failures leave the connection open...
        for (var i = 1; i <= 3; i++)
        {
            Assert.Equal($"a{i} NO [AUTHENTICATIONFAILED] Authentication failed.", await client.ImapCommandAsync($"a{i}", $"LOGIN {Alice} wrong{i}"));
        }

        Assert.StartsWith("n OK", await client.ImapCommandAsync("n", "NOOP"));

        // ...and the fourth closes it.
        Assert.StartsWith("a4 NO", await client.ImapCommandAsync("a4", $"LOGIN {Alice} wrong4"));
        Assert.True(await client.ClosedByPeerWithinAsync(TimeSpan.FromSeconds(5)), $"still open after the 4th failure:\n{string.Join('\n', client.Transcript)}");
    }

    [Fact]
    public async Task ImapLogin_RightPasswordAfterFailures_LogsIn()
    {
        await using var client = await RawMailClient.ConnectAsync(lab.Proxy.ImapsPort, lab.Pki);
        await client.ReadLineAsync();

        Assert.StartsWith("a1 NO", await client.ImapCommandAsync("a1", $"LOGIN {Alice} wrong"));
        Assert.StartsWith("a2 OK", await client.ImapCommandAsync("a2", $"LOGIN {Alice} {Password}"));

        Assert.StartsWith("a3 OK", await client.ImapCommandAsync("a3", "SELECT INBOX"));
    }

    private int BackendAttempts() => lab.Proxy.Logs.Entries.Count(e => BackendAttemptEvents.Contains(e.EventId));
}
