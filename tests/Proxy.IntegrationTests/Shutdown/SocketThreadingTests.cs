using System.Security.Cryptography;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Net.Pop3;
using MailKit.Security;
using Proxy.IntegrationTests.Harness;
using Proxy.IntegrationTests.Ordering;

namespace Proxy.IntegrationTests.Shutdown;

/// <summary>
/// The real executable runs socket completions inline on one socket event thread per core
/// (InlineSocketCompletions, docs/performance.md finding 12): these tests see that it does, that
/// every stage of a session still works that way (TLS both sides, login, a 16 MiB fetch, POP3 over
/// STLS, logins that hash a password while another session transfers), and that an operator's
/// <c>DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=0</c> is honoured.
/// </summary>
public sealed class SocketThreadingTests(ShutdownFixture fixture) : IClassFixture<ShutdownFixture>
{
    private const string SocketThread = ".NET Sockets";

    [Fact]
    public async Task RealBinary_OneSocketEventThreadPerCore_AndSessionsWorkEndToEnd()
    {
        await using var proxy = await ProxyProcess.StartAsync(fixture.Topology, Topologies.Users, fixture.Pki);

        using var imap = new ImapClient { Timeout = 30_000, ServerCertificateValidationCallback = fixture.Pki.ValidateServerCertificate };
        await imap.ConnectAsync("127.0.0.1", proxy.ImapsPort, SecureSocketOptions.SslOnConnect);
        await imap.AuthenticateAsync(Topologies.Alice, Topologies.Password);
        await imap.Inbox.OpenAsync(FolderAccess.ReadOnly);
        var last = imap.Inbox.Count - 1;
        var expected = (await imap.Inbox.FetchAsync(last, last, MessageSummaryItems.Size)).Single().Size!.Value;
        Assert.True(expected >= ShutdownFixture.LargeMessageBytes);

        // While the large message crosses, other clients use POP3 over STLS, and two give a wrong
        // password: a failure is never cached, so each is a full hash (off the event threads).
        var fetch = FetchHashAsync(imap, last);
        var others = Enumerable.Range(0, 3).Select(_ => Pop3CountAsync(proxy.Pop3Port)).ToList();
        var refused = Enumerable.Range(0, 2).Select(_ => Assert.ThrowsAsync<AuthenticationException>(() => Pop3CountAsync(proxy.Pop3Port, "wrong-password"))).ToList();
        var (size, hash) = await fetch;
        var counts = await Task.WhenAll(others);
        await Task.WhenAll(refused);

        Assert.Equal(expected, size);
        Assert.Equal(hash, (await FetchHashAsync(imap, last)).Hash);
        Assert.All(counts, count => Assert.True(count >= 1));
        await imap.NoOpAsync();
        Assert.Equal(Environment.ProcessorCount, proxy.ThreadNames.Count(name => name == SocketThread));
    }

    [Fact]
    public async Task RealBinary_OperatorTurnedInlineCompletionsOff_OneSharedSocketEventThread()
    {
        await using var proxy = await ProxyProcess.StartAsync(
            fixture.Topology,
            Topologies.Users,
            fixture.Pki,
            environment: new Dictionary<string, string> { ["DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS"] = "0" });

        Assert.True(await Pop3CountAsync(proxy.Pop3Port) >= 1);

        // The runtime's default below 30 cores: one engine thread, which queues every completion to the pool.
        Assert.Equal(1, proxy.ThreadNames.Count(name => name == SocketThread));
    }

    private static async Task<(long Size, string Hash)> FetchHashAsync(ImapClient imap, int index)
    {
        using var message = await imap.Inbox.GetStreamAsync(index, "");
        using var sha = SHA256.Create();
        var hash = Convert.ToHexString(await sha.ComputeHashAsync(message));
        return (message.Length, hash);
    }

    private async Task<int> Pop3CountAsync(int port, string password = Topologies.Password)
    {
        using var pop3 = new Pop3Client { Timeout = 30_000, ServerCertificateValidationCallback = fixture.Pki.ValidateServerCertificate };
        await pop3.ConnectAsync("127.0.0.1", port, SecureSocketOptions.StartTls);
        await pop3.AuthenticateAsync(Topologies.Alice, password);
        var count = await pop3.GetMessageCountAsync();
        await pop3.DisconnectAsync(quit: true);
        return count;
    }
}
