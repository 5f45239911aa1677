using System.Diagnostics;
using System.Net.Sockets;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Security;
using Proxy.IntegrationTests.Harness;
using Proxy.IntegrationTests.Ordering;

namespace Proxy.IntegrationTests.Shutdown;

/// <summary>
/// SIGTERM (issue 4, item 7): the proxy stops accepting, tells idle IMAP clients <c>* BYE</c>,
/// lets sessions end within <c>Proxy:ShutdownDrainTimeout</c>, closes the rest, and exits 0.
/// </summary>
public sealed class GracefulShutdownTests(ShutdownFixture fixture) : IClassFixture<ShutdownFixture>
{
    private const string ShutdownBye = "* BYE Server shutting down.";
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task Sigterm_ImapClientInIdle_ToldByeAndTheProcessExitsZeroWithinTheDrainTime()
    {
        var drain = TimeSpan.FromSeconds(20);
        await using var proxy = await ProxyProcess.StartAsync(fixture.Topology, Topologies.Users, fixture.Pki, Drain(drain));
        await using var client = await RawMailClient.ConnectEncryptedAsync(MailProtocolKind.Imap, proxy.ImapsPort, fixture.Pki, implicitTls: true);
        Assert.StartsWith("a OK", await client.ImapCommandAsync("a", $"LOGIN {Topologies.Alice} {Topologies.Password}"));
        Assert.StartsWith("b OK", await client.ImapCommandAsync("b", "SELECT INBOX"));
        await client.WriteLineAsync("c IDLE");
        Assert.StartsWith("+", await client.ReadLineAsync());
        var clock = Stopwatch.StartNew();

        await proxy.TerminateAsync();

        Assert.Equal(ShutdownBye, await client.ReadLineAsync(Bound));
        Assert.True(await client.ClosedByPeerWithinAsync(Bound), string.Join('\n', client.Transcript));
        Assert.Equal(0, await proxy.WaitForExitAsync(drain));
        Assert.True(clock.Elapsed < drain, $"exited after {clock.Elapsed}");
        Assert.Contains("[3556]", proxy.Output);
        Assert.DoesNotContain("[3557]", proxy.Output);
    }

    [Fact]
    public async Task Sigterm_Pop3SessionOpen_StopsAccepting_SessionWorksUntilTheDrainTimeoutThenClosed()
    {
        var drain = TimeSpan.FromSeconds(3);
        await using var proxy = await ProxyProcess.StartAsync(fixture.Topology, Topologies.Users, fixture.Pki, Drain(drain));
        await using var pop3 = await RawMailClient.ConnectEncryptedAsync(MailProtocolKind.Pop3, proxy.Pop3sPort, fixture.Pki, implicitTls: true);
        await pop3.WriteLineAsync($"USER {Topologies.Alice}");
        Assert.StartsWith("+OK", await pop3.ReadLineAsync());
        await pop3.WriteLineAsync($"PASS {Topologies.Password}");
        Assert.StartsWith("+OK", await pop3.ReadLineAsync());
        await using var preAuth = await RawMailClient.ConnectAsync(proxy.Pop3sPort, fixture.Pki);
        Assert.StartsWith("+OK", await preAuth.ReadLineAsync());
        var clock = Stopwatch.StartNew();

        await proxy.TerminateAsync();

        // A session still in pre-auth hears why at once; POP3's way is -ERR.
        Assert.Equal("-ERR Server shutting down.", await preAuth.ReadLineAsync(Bound));
        Assert.True(await preAuth.ClosedByPeerWithinAsync(Bound));
        await AssertNoLongerAcceptingAsync(proxy.ImapPort);
        // The logged-in POP3 session may go on until the drain time is up (a download in progress finishes).
        await pop3.WriteLineAsync("STAT");
        Assert.StartsWith("+OK", await pop3.ReadLineAsync(Bound));
        Assert.True(clock.Elapsed < drain, $"the checks took {clock.Elapsed}, longer than the drain time");

        // Then it is closed; POP3 has no unsolicited goodbye, so without a line.
        Assert.True(await pop3.ClosedByPeerWithinAsync(drain + Bound), string.Join('\n', pop3.Transcript));
        Assert.True(clock.Elapsed >= drain - TimeSpan.FromMilliseconds(100), $"closed after {clock.Elapsed}, before the drain time");
        Assert.DoesNotContain(pop3.Transcript, line => line.StartsWith("-ERR", StringComparison.Ordinal));
        Assert.Equal(0, await proxy.WaitForExitAsync(drain + Bound));
        Assert.Contains("[3557]", proxy.Output);
    }

    [Fact]
    public async Task Stop_PreAuthImapSession_ToldBye()
    {
        await using var proxy = await ProxyUnderTest.StartAsync(fixture.Topology, Topologies.Users, fixture.Pki.CertificatePath, fixture.Pki.KeyPath);
        await using var client = await RawMailClient.ConnectAsync(proxy.ImapPort);
        await client.ReadLineAsync();

        var stop = proxy.StopAsync();

        Assert.Equal(ShutdownBye, await client.ReadLineAsync(Bound));
        Assert.True(await client.ClosedByPeerWithinAsync(Bound));
        await stop.WaitAsync(Bound);
    }

    [Fact]
    public async Task Stop_DuringALargeFetch_TheFetchCompletesThenTheClientIsToldBye()
    {
        var drain = TimeSpan.FromSeconds(30);
        await using var proxy = await ProxyUnderTest.StartAsync(fixture.Topology, Topologies.Users, fixture.Pki.CertificatePath, fixture.Pki.KeyPath, Drain(drain));
        using var client = new ImapClient { Timeout = 30_000, ServerCertificateValidationCallback = fixture.Pki.ValidateServerCertificate };
        await client.ConnectAsync("127.0.0.1", proxy.ImapsPort, SecureSocketOptions.SslOnConnect);
        await client.AuthenticateAsync(Topologies.Alice, Topologies.Password);
        await client.Inbox.OpenAsync(FolderAccess.ReadOnly);
        var last = client.Inbox.Count - 1;
        var size = (await client.Inbox.FetchAsync(last, last, MessageSummaryItems.Size)).Single().Size!.Value;
        var stopOnFirstBytes = new StopOnFirstBytes(proxy);

        using var message = await client.Inbox.GetStreamAsync(last, "", CancellationToken.None, stopOnFirstBytes);
        var received = message.Length;

        Assert.NotNull(stopOnFirstBytes.Stop);
        Assert.True(stopOnFirstBytes.BytesAtStop < size, "the stop came after the whole message");
        Assert.Equal(size, received);
        await stopOnFirstBytes.Stop!.WaitAsync(drain);
        // The BYE came after the FETCH's completion; the next command finds the session gone.
        await Assert.ThrowsAnyAsync<Exception>(() => client.NoOpAsync());
        Assert.Empty(proxy.Logs.WithEventId(3557));
    }

    private static Dictionary<string, string?> Drain(TimeSpan drain) => new() { ["Proxy:ShutdownDrainTimeout"] = drain.ToString() };

    /// <summary>Once Kestrel has unbound, a new connection is refused (polled: the unbind follows the drain's start).</summary>
    private static async Task AssertNoLongerAcceptingAsync(int port)
    {
        for (var i = 0; i < 50; i++)
        {
            try
            {
                using var tcp = new TcpClient();
                await tcp.ConnectAsync("127.0.0.1", port);
            }
            catch (SocketException)
            {
                return;
            }

            await Task.Delay(50);
        }

        Assert.Fail($"port {port} still accepted connections after SIGTERM");
    }

    /// <summary>Stops the proxy (as SIGTERM would) on the transfer's first progress report.</summary>
    private sealed class StopOnFirstBytes(ProxyUnderTest proxy) : ITransferProgress
    {
        public Task? Stop { get; private set; }

        public long BytesAtStop { get; private set; }

        public void Report(long bytesTransferred, long totalSize) => Report(bytesTransferred);

        public void Report(long bytesTransferred)
        {
            if (Stop is null)
            {
                BytesAtStop = bytesTransferred;
                Stop = Task.Run(proxy.StopAsync);
            }
        }
    }
}
