using MailKit.Security;
using Proxy.IntegrationTests.Harness;
using static Proxy.IntegrationTests.EndToEnd.LabUsers;
using static Proxy.IntegrationTests.EndToEnd.MailClients;

namespace Proxy.IntegrationTests.EndToEnd;

/// <summary>Dave's mailbox is in site Branch; the proxy stands in HQ.</summary>
[Collection(LabCollection.Name)]
public sealed class CrossSiteTests(LabFixture lab)
{
    private const string Refusal = "Your mailbox is in another site and cannot be reached through this server. Contact your administrator.";

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ImapLogin_MailboxInOtherSite_RefusedWithClearTextAndEvent1008(bool implicitTls)
    {
        var port = implicitTls ? lab.Proxy.ImapsPort : lab.Proxy.ImapPort;
        await using var client = await RawMailClient.ConnectEncryptedAsync(MailProtocolKind.Imap, port, lab.Pki, implicitTls);

        var answer = await client.ImapCommandAsync("a", $"LOGIN {Dave} {Password}");

        Assert.Equal($"a NO [CONTACTADMIN] {Refusal}", answer);
        AssertEvent1008("IMAP4");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Pop3Login_MailboxInOtherSite_RefusedWithClearTextAndEvent1008(bool implicitTls)
    {
        var port = implicitTls ? lab.Proxy.Pop3sPort : lab.Proxy.Pop3Port;
        await using var client = await RawMailClient.ConnectEncryptedAsync(MailProtocolKind.Pop3, port, lab.Pki, implicitTls);

        await client.WriteLineAsync($"USER {Dave}");
        Assert.StartsWith("+OK", await client.ReadLineAsync());
        await client.WriteLineAsync($"PASS {Password}");

        Assert.Equal($"-ERR [SYS/PERM] {Refusal}", await client.ReadLineAsync());
        AssertEvent1008("POP3");
    }

    [Fact]
    public async Task ImapLogin_MailboxInOtherSite_MailKitSeesTheRefusal()
    {
        using var client = await ConnectImapAsync(lab.Pki, lab.Proxy.ImapsPort, SecureSocketOptions.SslOnConnect);

        var refused = await Assert.ThrowsAsync<AuthenticationException>(() => client.AuthenticateAsync(Dave, Password));

        Assert.Contains("another site", refused.Message);
    }

    [Theory]
    [InlineData(Listener.ImplicitTls)]
    [InlineData(Listener.StartTls)]
    public async Task ImapLogin_CrossSiteAllowed_ReadsBranchMailbox(Listener listener)
    {
        using var client = await ConnectImapAsync(lab.Pki, lab.CrossSiteProxy.ImapPort(listener), Security(listener));

        await client.AuthenticateAsync(Dave, Password);

        await AssertWelcomeInboxAsync(client, BrDb2010);
    }

    [Fact]
    public async Task Pop3Login_CrossSiteAllowedOnlyForImap_StillRefused()
    {
        var transcript = new ServerTranscript();
        using var client = await ConnectPop3Async(lab.Pki, lab.CrossSiteProxy.Pop3sPort, SecureSocketOptions.SslOnConnect, transcript);

        await Assert.ThrowsAsync<AuthenticationException>(() => client.AuthenticateAsync(Dave, Password));

        Assert.Contains("-ERR [SYS/PERM]", transcript.Text);
    }

    /// <summary>Exchange's wording: the user, the mailbox's site and the setting that would allow it.</summary>
    private void AssertEvent1008(string protocol)
    {
        var events = lab.Proxy.Logs.WithEventId(1008).Select(e => e.Message).ToList();
        Assert.Contains(events, m =>
            m.StartsWith(protocol + ":", StringComparison.Ordinal) &&
            m.Contains($"The user \"{Dave}\" was prevented from connecting to their mailbox") &&
            m.Contains("another Active Directory site (Branch)") &&
            m.Contains("AllowCrossSiteSessions"));
    }
}
