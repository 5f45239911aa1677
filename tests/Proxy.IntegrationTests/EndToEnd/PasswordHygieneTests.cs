using MailKit.Security;
using static Proxy.IntegrationTests.EndToEnd.LabUsers;
using static Proxy.IntegrationTests.EndToEnd.MailClients;

namespace Proxy.IntegrationTests.EndToEnd;

/// <summary>No password the proxy handles ever reaches its log, at any level, whatever the outcome.</summary>
[Collection(LabCollection.Name)]
public sealed class PasswordHygieneTests(LabFixture lab)
{
    private const string WrongPassword = "Canary-Wr0ng-7f3a";
    private const string ErinBase64Shaped = "YSAiYiIgXGMgZA";

    [Fact]
    public async Task Logs_AfterSuccessfulAndFailedLoginsOfEveryKind_ContainNoPassword()
    {
        using (var imap = await ConnectImapAsync(lab.Pki, lab.Proxy.ImapsPort, SecureSocketOptions.SslOnConnect))
        {
            await imap.AuthenticateAsync(Erin, ErinPassword);
        }

        using (var imap = await ConnectImapAsync(lab.Pki, lab.Proxy.ImapPort, SecureSocketOptions.StartTls))
        {
            imap.AuthenticationMechanisms.Clear();
            await imap.AuthenticateAsync(Bob, Password);
        }

        using (var pop = await ConnectPop3Async(lab.Pki, lab.Proxy.Pop3sPort, SecureSocketOptions.SslOnConnect))
        {
            await Assert.ThrowsAsync<AuthenticationException>(() => pop.AuthenticateAsync(Carol, WrongPassword));
        }

        using (var imap = await ConnectImapAsync(lab.Pki, lab.Proxy.ImapsPort, SecureSocketOptions.SslOnConnect))
        {
            await Assert.ThrowsAsync<AuthenticationException>(() => imap.AuthenticateAsync(Dave, Password));
        }

        using (var imap = await ConnectImapAsync(lab.Pki, lab.Proxy.ImapsPort, SecureSocketOptions.SslOnConnect))
        {
            imap.AuthenticationMechanisms.Clear();
            await Assert.ThrowsAsync<AuthenticationException>(() => imap.AuthenticateAsync(Alice, WrongPassword));
        }

        var logs = lab.Proxy.Logs.AllText;
        // The logins were logged (user names are not secret), so the search below looked at them.
        Assert.Contains(lab.Proxy.Logs.WithEventId(3200), e => e.Message.Contains(Erin, StringComparison.Ordinal));
        Assert.Contains(lab.Proxy.Logs.WithEventId(3201), e => e.Message.Contains(Carol, StringComparison.Ordinal));
        foreach (var secret in new[] { Password, ErinPassword, WrongPassword, ErinBase64Shaped })
        {
            Assert.DoesNotContain(secret, logs, StringComparison.Ordinal);
        }
    }
}
