using System.Diagnostics;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Security;
using Proxy.IntegrationTests.Harness;
using Proxy.IntegrationTests.Infrastructure;
using Proxy.IntegrationTests.Ordering;

namespace Proxy.IntegrationTests.Failures;

/// <summary>A real Dovecot of its own with alice's mailbox and one large message, killed by the tests.</summary>
public sealed class DovecotKilledFixture : IAsyncLifetime
{
    public const int LargeMessageBytes = 32 * 1024 * 1024;

    public TestPki Pki { get; } = TestPki.Create();

    public DovecotBackend Backend { get; private set; } = null!;

    public async Task InitializeAsync() =>
        Backend = await DovecotBackend.StartAsync(new DovecotBackendOptions
        {
            InstanceName = "killed",
            Users = [new DovecotUser(Topologies.Alice, Topologies.Password, Topologies.Db2013, MessageCount: 1, LargeMessageBytes: LargeMessageBytes)],
            Pki = Pki,
        });

    public async Task DisposeAsync()
    {
        if (Backend is not null)
        {
            await Backend.DisposeAsync();
        }

        Pki.Dispose();
    }
}

/// <summary>
/// A real Dovecot killed under a relayed session: the client learns it within a second, never
/// waits for a timeout. Mid-FETCH the connection just closes (a BYE inside the literal would
/// be message text); between responses the client is told <c>* BYE</c>.
/// </summary>
public sealed class DovecotKilledTests(DovecotKilledFixture fixture) : IClassFixture<DovecotKilledFixture>
{
    private static readonly TimeSpan Prompt = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task LargeFetch_DovecotKilledMidTransfer_MailKitFailsWithinASecond()
    {
        await EnsureRunningAsync();
        await using var proxy = await StartProxyAsync();
        using var client = new ImapClient { Timeout = 30_000, ServerCertificateValidationCallback = fixture.Pki.ValidateServerCertificate };
        await client.ConnectAsync(DovecotBackend.Host, proxy.ImapsPort, SecureSocketOptions.SslOnConnect);
        await client.AuthenticateAsync(Topologies.Alice, Topologies.Password);
        await client.Inbox.OpenAsync(FolderAccess.ReadOnly);
        var killAt = new KillOnFirstBytes(fixture.Backend);

        var error = await Record.ExceptionAsync(async () =>
        {
            using var message = await client.Inbox.GetStreamAsync(client.Inbox.Count - 1, "", CancellationToken.None, killAt);
            await message.CopyToAsync(Stream.Null);
        });
        var sinceKill = killAt.SinceKill;

        Assert.True(killAt.Killed, "the transfer ended before any progress was reported");
        Assert.True(error is ImapProtocolException or IOException, $"expected the connection to fail, got {error?.GetType().Name ?? "success"}: {error?.Message}");
        Assert.True(sinceKill < Prompt, $"the client learnt of the dead backend {sinceKill} after the kill");
        Assert.True(killAt.BytesAtKill < DovecotKilledFixture.LargeMessageBytes, "the kill came after the whole message");
    }

    [Fact]
    public async Task IdleSession_DovecotKilled_ClientToldByeWithinASecond()
    {
        await EnsureRunningAsync();
        await using var proxy = await StartProxyAsync();
        await using var client = await RawMailClient.ConnectEncryptedAsync(MailProtocolKind.Imap, proxy.ImapsPort, fixture.Pki, implicitTls: true);
        Assert.StartsWith("a OK", await client.ImapCommandAsync("a", $"LOGIN {Topologies.Alice} {Topologies.Password}"));
        Assert.StartsWith("b OK", await client.ImapCommandAsync("b", "SELECT INBOX"));
        await client.WriteLineAsync("c IDLE");
        Assert.StartsWith("+", await client.ReadLineAsync());

        await fixture.Backend.StopAsync();
        var clock = Stopwatch.StartNew();

        Assert.Equal("* BYE Connection to the mailbox server lost; please reconnect.", await client.ReadUntilAsync("* BYE", Prompt));
        Assert.True(clock.Elapsed < Prompt, $"told after {clock.Elapsed}");
        Assert.True(await client.ClosedByPeerWithinAsync(Prompt), $"still open after the BYE:\n{string.Join('\n', client.Transcript)}");
    }

    private async Task EnsureRunningAsync()
    {
        if (!fixture.Backend.IsRunning)
        {
            await fixture.Backend.RestartAsync();
        }
    }

    private Task<ProxyUnderTest> StartProxyAsync() => ProxyUnderTest.StartAsync(
        Topologies.Single2013(fixture.Pki, Topologies.Ports(fixture.Backend.ImapSslPort, fixture.Backend.ImapPort), Topologies.Ports(fixture.Backend.Pop3SslPort, fixture.Backend.Pop3Port)),
        Topologies.Users, fixture.Pki.CertificatePath, fixture.Pki.KeyPath);

    /// <summary>
    /// Kills the backend on the first progress report of the transfer, holding the client's reader
    /// meanwhile, so the kill lands while most of the message is still on its way.
    /// </summary>
    private sealed class KillOnFirstBytes(DovecotBackend backend) : ITransferProgress
    {
        private readonly Stopwatch _sinceKill = new();

        public bool Killed { get; private set; }

        public long BytesAtKill { get; private set; }

        public TimeSpan SinceKill => _sinceKill.Elapsed;

        public void Report(long bytesTransferred, long totalSize) => Report(bytesTransferred);

        public void Report(long bytesTransferred)
        {
            if (Killed)
            {
                return;
            }

            Killed = true;
            BytesAtKill = bytesTransferred;
            Task.Run(backend.StopAsync).GetAwaiter().GetResult();
            _sinceKill.Start();
        }
    }
}
