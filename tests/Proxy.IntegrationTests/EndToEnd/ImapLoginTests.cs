using MailKit.Security;
using static Proxy.IntegrationTests.EndToEnd.LabUsers;
using static Proxy.IntegrationTests.EndToEnd.MailClients;

namespace Proxy.IntegrationTests.EndToEnd;

/// <summary>MailKit over both IMAP listeners: every HQ user reaches the backend of their database.</summary>
[Collection(LabCollection.Name)]
public sealed class ImapLoginTests(LabFixture lab)
{
    public static TheoryData<string, Listener> HqUsersOnBothListeners()
    {
        var data = new TheoryData<string, Listener>();
        foreach (var (user, _, _) in Hq)
        {
            data.Add(user, Listener.ImplicitTls);
            data.Add(user, Listener.StartTls);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(HqUsersOnBothListeners))]
    public async Task Login_HqUser_ReadsInboxOfTheirDatabase(string user, Listener listener)
    {
        var (_, password, database) = Hq.Single(u => u.User == user);
        using var client = await ConnectImapAsync(lab.Pki, lab.Proxy.ImapPort(listener), Security(listener));
        Assert.True(client.IsSecure);

        await client.AuthenticateAsync(user, password);

        await AssertWelcomeInboxAsync(client, database);
        await client.DisconnectAsync(quit: true);
    }

    [Theory]
    [InlineData(Listener.ImplicitTls, true)]
    [InlineData(Listener.ImplicitTls, false)]
    [InlineData(Listener.StartTls, true)]
    [InlineData(Listener.StartTls, false)]
    public async Task Login_PasswordWithSpacesQuotesAndBackslash_LogsIn(Listener listener, bool saslPlain)
    {
        using var client = await ConnectImapAsync(lab.Pki, lab.Proxy.ImapPort(listener), Security(listener));
        if (saslPlain)
        {
            Assert.Contains("PLAIN", client.AuthenticationMechanisms);
            client.AuthenticationMechanisms.RemoveWhere(m => m != "PLAIN");
        }
        else
        {
            // No SASL mechanism left: MailKit sends LOGIN with the password quoted (or as a literal).
            client.AuthenticationMechanisms.Clear();
        }

        await client.AuthenticateAsync(Erin, ErinPassword);

        await AssertWelcomeInboxAsync(client, HqDb2013);
    }

    [Theory]
    [InlineData("alice", true)]
    [InlineData("alice", false)]
    [InlineData("CONTOSO\\alice", true)]
    [InlineData("CONTOSO\\alice", false)]
    [InlineData("ALICE@CONTOSO.LAB", true)]
    [InlineData("ALICE@CONTOSO.LAB", false)]
    public async Task Login_OtherFormsOfTheLoginName_ReachAlicesMailbox(string loginName, bool saslPlain)
    {
        using var client = await ConnectImapAsync(lab.Pki, lab.Proxy.ImapsPort, SecureSocketOptions.SslOnConnect);
        if (!saslPlain)
        {
            client.AuthenticationMechanisms.Clear();
        }

        await client.AuthenticateAsync(loginName, Password);

        await AssertWelcomeInboxAsync(client, HqDb2013);
    }
}
