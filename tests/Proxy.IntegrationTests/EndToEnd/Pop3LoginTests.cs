using MailKit.Security;
using Proxy.IntegrationTests.Harness;
using static Proxy.IntegrationTests.EndToEnd.LabUsers;
using static Proxy.IntegrationTests.EndToEnd.MailClients;

namespace Proxy.IntegrationTests.EndToEnd;

/// <summary>MailKit over both POP3 listeners, and the privileged-account rule that differs between POP3 and IMAP.</summary>
[Collection(LabCollection.Name)]
public sealed class Pop3LoginTests(LabFixture lab)
{
    [Theory]
    [InlineData(Bob, Listener.ImplicitTls)]
    [InlineData(Bob, Listener.StartTls)]
    [InlineData(Carol, Listener.ImplicitTls)]
    [InlineData(Carol, Listener.StartTls)]
    [InlineData(Alice, Listener.ImplicitTls)]
    [InlineData(Alice, Listener.StartTls)]
    public async Task Login_HqUser_ReadsMaildropOfTheirDatabase(string user, Listener listener)
    {
        using var client = await ConnectPop3Async(lab.Pki, lab.Proxy.Pop3Port(listener), Security(listener));
        Assert.True(client.IsSecure);

        await client.AuthenticateAsync(user, Password);

        await AssertWelcomeInboxAsync(client, DatabaseOf(user));
        await client.DisconnectAsync(quit: true);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Login_PasswordWithSpacesQuotesAndBackslash_LogsIn(bool saslPlain)
    {
        using var client = await ConnectPop3Async(lab.Pki, lab.Proxy.Pop3sPort, SecureSocketOptions.SslOnConnect);
        if (!saslPlain)
        {
            // No SASL mechanism left: MailKit sends USER/PASS.
            client.AuthenticationMechanisms.Clear();
        }

        await client.AuthenticateAsync(Erin, ErinPassword);

        await AssertWelcomeInboxAsync(client, HqDb2013);
    }

    [Theory]
    [InlineData(Listener.ImplicitTls)]
    [InlineData(Listener.StartTls)]
    public async Task Login_PrivilegedAccount_RefusedWithAuthErrorAndRealReasonLogged(Listener listener)
    {
        var transcript = new ServerTranscript();
        using var client = await ConnectPop3Async(lab.Pki, lab.Proxy.Pop3Port(listener), Security(listener), transcript);

        await Assert.ThrowsAsync<AuthenticationException>(() => client.AuthenticateAsync(Administrator, Password));

        Assert.Contains("-ERR [AUTH]", transcript.Text);
        Assert.Contains(lab.Proxy.Logs.WithEventId(3202), e => e.Message.Contains(Administrator) && e.Message.Contains("POP3"));
    }

    [Fact]
    public async Task Login_PrivilegedAccountOverPop3_ClientSeesOnlyAuthError()
    {
        await using var client = await RawMailClient.ConnectAsync(lab.Proxy.Pop3sPort, lab.Pki);
        await client.ReadLineAsync();

        await client.WriteLineAsync($"USER {Administrator}");
        Assert.StartsWith("+OK", await client.ReadLineAsync());
        await client.WriteLineAsync($"PASS {Password}");
        var answer = await client.ReadLineAsync();

        // The real reason (privileged) is for the log only: the client hears a generic failure.
        Assert.StartsWith("-ERR [AUTH]", answer);
        Assert.DoesNotContain("privileged", answer, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Login_WellKnownAccountOverImap_RefusedAsExchange2013Does()
    {
        using var client = await ConnectImapAsync(lab.Pki, lab.Proxy.ImapsPort, SecureSocketOptions.SslOnConnect);

        await Assert.ThrowsAsync<AuthenticationException>(() => client.AuthenticateAsync(Administrator, Password));

        Assert.Contains(lab.Proxy.Logs.WithEventId(3202), e => e.Message.Contains(Administrator) && e.Message.Contains("IMAP4") && e.Message.Contains("LogonFailed:WellKnownAccount"));
    }
}
