using System.Diagnostics;
using Proxy.IntegrationTests.Harness;
using Proxy.IntegrationTests.Ordering;
using Xunit.Abstractions;

namespace Proxy.IntegrationTests.HostileInput;

/// <summary>
/// Clients that hold resources by being slow: one that trickles bytes just inside the
/// inactivity timeout and never logs in (slowloris), and one that asks for a large answer
/// and never reads it (backpressure: the proxy must stop reading from the backend instead
/// of buffering without bound).
/// </summary>
public sealed class SlowClientTests(HostileInputFixture fixture, ITestOutputHelper output) : IClassFixture<HostileInputFixture>
{
    private const int PreAuthTimeout = 3102;
    private const int PreAuthDurationExceeded = 3141;

    private readonly HostileInputFixture _fixture = fixture;

    [Theory]
    [InlineData(MailProtocolKind.Imap)]
    [InlineData(MailProtocolKind.Pop3)]
    public async Task Slowloris_ByteEvery200MsNeverLoggingIn_ClosedAtMaxPreAuthenticatedDuration(MailProtocolKind protocol)
    {
        await using var proxy = await _fixture.StartProxyAsync(new Dictionary<string, string?>
        {
            // The trickle's 200 ms beat stays far inside the 4 s inactivity timeout even on a loaded machine.
            ["Proxy:Imap:PreAuthenticatedConnectionTimeout"] = "00:00:04",
            ["Proxy:Pop3:PreAuthenticatedConnectionTimeout"] = "00:00:04",
            ["Proxy:Imap:MaxPreAuthenticatedDuration"] = "00:00:08",
            ["Proxy:Pop3:MaxPreAuthenticatedDuration"] = "00:00:08",
        });
        await using var hostile = await RawMailClient.ConnectAsync(proxy.PlainPort(protocol));
        await hostile.ReadLineAsync();
        var clock = Stopwatch.StartNew();

        // Never silent for the 4 s inactivity timeout: each byte resets it. Bounded at 30 s.
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var command = protocol == MailProtocolKind.Imap ? "a NOOP\r\n" : "CAPA\r\n";
        var trickle = Task.Run(async () =>
        {
            try
            {
                for (var i = 0; !stop.IsCancellationRequested; i++)
                {
                    await hostile.WriteAsync(command[i % command.Length].ToString());
                    await Task.Delay(200, stop.Token);
                }
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
            {
                // Closed by the proxy, or the test is over.
            }
        });

        // Meanwhile a well-behaved client on the same listener is served (it must log in within the 4 s timeout).
        using (var good = await GoodSession.ConnectAsync(protocol, proxy.PlainPort(protocol), _fixture.Pki))
        {
            await good.AssertStillWorksAsync();
        }

        var goodbye = await hostile.ReadUntilAsync(protocol == MailProtocolKind.Imap ? "* BYE" : "-ERR", TimeSpan.FromSeconds(20));
        var elapsed = clock.Elapsed;
        await stop.CancelAsync();
        await trickle;

        Assert.Equal(protocol == MailProtocolKind.Imap ? "* BYE Disconnected: too long without logging in." : "-ERR Disconnected: too long without logging in.", goodbye);
        Assert.True(await hostile.ClosedByPeerWithinAsync(TimeSpan.FromSeconds(5)), "the proxy kept the connection open");

        // Alive well past the inactivity timeout (commands were answered), then cut by the overall bound.
        Assert.Contains(hostile.Transcript, line => line.StartsWith(protocol == MailProtocolKind.Imap ? "a OK NOOP" : "+OK Capability", StringComparison.Ordinal));
        Assert.True(elapsed > TimeSpan.FromSeconds(5), $"closed after only {elapsed}");
        Assert.Single(proxy.Logs.WithEventId(PreAuthDurationExceeded));
        Assert.Empty(proxy.Logs.WithEventId(PreAuthTimeout));
    }

    [Fact]
    public async Task ClientNeverReads_BackendStreamsEndlessly_ProxyStopsReadingAndOtherSessionsWork()
    {
        await using var backend = StreamingBackend.Start();
        var topology = Topologies.Single2013(_fixture.Pki, Topologies.Ports(null, backend.Port, startTls: false), Topologies.Ports(null, null));
        await using var proxy = await ProxyUnderTest.StartAsync(
            topology,
            Topologies.Users,
            _fixture.Pki.CertificatePath,
            _fixture.Pki.KeyPath,
            new Dictionary<string, string?> { ["Proxy:Backends:AllowPlaintext"] = "true" });

        var (hostile, reply) = await RawLogin.OverTlsAsync(MailProtocolKind.Imap, proxy.ImapsPort, _fixture.Pki, Topologies.Alice, Topologies.Password);
        Assert.StartsWith("a OK", reply);

        // Ask for an answer that never ends, then read nothing at all.
        await hostile.WriteLineAsync("b FETCH 1 BODY[]");
        Assert.True(await backend.WaitForStallAsync(quiet: TimeSpan.FromSeconds(2), limit: TimeSpan.FromSeconds(60)), $"the backend could still write after 60 s: {backend.BytesStreamed} bytes");

        // What the proxy holds is bounded: its pipes plus the kernel's socket buffers on both sides.
        var stalledAt = backend.BytesStreamed;
        output.WriteLine($"The backend's writes stalled after {stalledAt} bytes.");
        Assert.True(stalledAt < 16 * 1024 * 1024, $"{stalledAt} bytes went into the proxy before the backend's writes stalled");

        // Another session on the same listener, to the same backend, is served meanwhile.
        var (other, otherReply) = await RawLogin.OverTlsAsync(MailProtocolKind.Imap, proxy.ImapsPort, _fixture.Pki, Topologies.Alice, Topologies.Password);
        await using (other)
        {
            Assert.StartsWith("a OK", otherReply);
            Assert.Equal("b OK NOOP completed.", await other.ImapCommandAsync("b", "NOOP"));
        }

        // Still stalled: nothing was read from the stuck session's backend in the meantime.
        Assert.InRange(backend.BytesStreamed, stalledAt, stalledAt + (256 * 1024));

        // When the client goes away, the proxy releases the backend connection too.
        Assert.Equal(0, backend.StreamsEnded);
        await hostile.DisposeAsync();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (backend.StreamsEnded == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        Assert.Equal(1, backend.StreamsEnded);
    }
}
