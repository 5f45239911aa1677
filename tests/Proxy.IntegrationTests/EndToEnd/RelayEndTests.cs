using Proxy.IntegrationTests.Harness;
using static Proxy.IntegrationTests.EndToEnd.LabUsers;

namespace Proxy.IntegrationTests.EndToEnd;

/// <summary>When the backend ends the session (LOGOUT / QUIT), the proxy closes the client's connection too.</summary>
[Collection(LabCollection.Name)]
public sealed class RelayEndTests(LabFixture lab)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(5);

    [Theory]
    [InlineData(true, Alice)]
    [InlineData(false, Bob)]
    [InlineData(true, Carol)]
    public async Task ImapLogout_AfterLogin_ProxyClosesTheConnection(bool implicitTls, string user)
    {
        var port = implicitTls ? lab.Proxy.ImapsPort : lab.Proxy.ImapPort;
        await using var client = await RawMailClient.ConnectEncryptedAsync(MailProtocolKind.Imap, port, lab.Pki, implicitTls);

        Assert.StartsWith("a OK", await client.ImapCommandAsync("a", $"LOGIN {user} {Password}"));
        Assert.StartsWith("b OK", await client.ImapCommandAsync("b", "SELECT INBOX"));

        Assert.StartsWith("c OK", await client.ImapCommandAsync("c", "LOGOUT"));
        Assert.Contains("* BYE", string.Join('\n', client.Transcript));
        Assert.True(await client.ClosedByPeerWithinAsync(Bound), $"the proxy kept the connection open:\n{string.Join('\n', client.Transcript)}");
    }

    [Theory]
    [InlineData(true, Carol)]
    [InlineData(false, Alice)]
    public async Task Pop3Quit_AfterLogin_ProxyClosesTheConnection(bool implicitTls, string user)
    {
        var port = implicitTls ? lab.Proxy.Pop3sPort : lab.Proxy.Pop3Port;
        await using var client = await RawMailClient.ConnectEncryptedAsync(MailProtocolKind.Pop3, port, lab.Pki, implicitTls);

        await client.WriteLineAsync($"USER {user}");
        Assert.StartsWith("+OK", await client.ReadLineAsync());
        await client.WriteLineAsync($"PASS {Password}");
        Assert.StartsWith("+OK", await client.ReadLineAsync());
        await client.WriteLineAsync("STAT");
        Assert.StartsWith("+OK", await client.ReadLineAsync());

        await client.WriteLineAsync("QUIT");
        Assert.StartsWith("+OK", await client.ReadLineAsync());
        Assert.True(await client.ClosedByPeerWithinAsync(Bound), $"the proxy kept the connection open:\n{string.Join('\n', client.Transcript)}");
    }

    [Fact]
    public async Task ImapLogout_BeforeLogin_ProxyClosesTheConnection()
    {
        await using var client = await RawMailClient.ConnectAsync(lab.Proxy.ImapsPort, lab.Pki);
        await client.ReadLineAsync();

        Assert.StartsWith("a OK", await client.ImapCommandAsync("a", "LOGOUT"));

        Assert.True(await client.ClosedByPeerWithinAsync(Bound), $"the proxy kept the connection open:\n{string.Join('\n', client.Transcript)}");
    }

    [Fact]
    public async Task ImapLogout_ThenClientClosesItsSendingSide_BackendReplyStillArrives()
    {
        await using var client = await RawMailClient.ConnectAsync(lab.Proxy.ImapsPort, lab.Pki);
        await client.ReadLineAsync();
        Assert.StartsWith("a OK", await client.ImapCommandAsync("a", $"LOGIN {Alice} {Password}"));

        await client.WriteLineAsync("b LOGOUT");
        await client.ShutdownSendingAsync();

        Assert.StartsWith("b OK", await client.ReadUntilAsync("b "));
        Assert.Contains("* BYE", string.Join('\n', client.Transcript));
        Assert.True(await client.ClosedByPeerWithinAsync(Bound), $"the proxy kept the connection open:\n{string.Join('\n', client.Transcript)}");
    }
}
