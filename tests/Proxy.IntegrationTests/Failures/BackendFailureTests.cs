using System.Diagnostics;
using Proxy.IntegrationTests.Harness;
using Proxy.IntegrationTests.Infrastructure;
using Proxy.IntegrationTests.Ordering;

namespace Proxy.IntegrationTests.Failures;

/// <summary>
/// A backend that dies mid-session (issue 4, item 4): the client hears about it at once, with
/// an IMAP <c>* BYE</c> when no response is half-written, otherwise by the connection closing;
/// POP3 always just closes (an unsolicited <c>-ERR</c> is not POP3).
/// </summary>
public sealed class BackendFailureTests : IDisposable
{
    // "Within a second" is the requirement; the proxy takes milliseconds.
    private static readonly TimeSpan Prompt = TimeSpan.FromSeconds(1);
    private const int BackendLostEvent = 3410;

    private readonly TestPki _pki = TestPki.Create();

    [Fact]
    public async Task ImapFetch_BackendResetsMidLiteral_ClientDisconnectedWithoutByePromptly()
    {
        await using var backend = MidSessionFaultBackend.Start(MailProtocolKind.Imap, MidSessionFault.MidResponse);
        await using var proxy = await StartProxyAsync(imapPort: backend.Port);
        await using var client = await FaultTopology.LoggedInAsync(MailProtocolKind.Imap, proxy.ImapsPort, _pki);
        await FaultTopology.ReadUntilTheFaultAsync(client, MailProtocolKind.Imap, MidSessionFault.MidResponse, backend);
        var linesBefore = client.Transcript.Count;

        var clock = Stopwatch.StartNew();
        backend.ResetAll();

        Assert.True(await client.ClosedByPeerWithinAsync(Prompt), $"still open after {Prompt}:\n{string.Join('\n', client.Transcript)}");
        Assert.True(clock.Elapsed < Prompt, $"closed after {clock.Elapsed}");
        // A BYE inside the literal would be taken for message text: nothing at all may follow.
        Assert.Empty(client.Transcript.Skip(linesBefore));
        var lost = Assert.Single(proxy.Logs.WithEventId(BackendLostEvent));
        Assert.Contains("half-written", lost.Message);
    }

    [Fact]
    public async Task ImapFetch_BackendResetsBetweenResponses_ClientToldByePromptly()
    {
        await using var backend = MidSessionFaultBackend.Start(MailProtocolKind.Imap, MidSessionFault.BetweenResponses);
        await using var proxy = await StartProxyAsync(imapPort: backend.Port);
        await using var client = await FaultTopology.LoggedInAsync(MailProtocolKind.Imap, proxy.ImapsPort, _pki);
        await FaultTopology.ReadUntilTheFaultAsync(client, MailProtocolKind.Imap, MidSessionFault.BetweenResponses, backend);

        var clock = Stopwatch.StartNew();
        backend.ResetAll();

        Assert.Equal("* BYE Connection to the mailbox server lost; please reconnect.", await client.ReadLineAsync(Prompt));
        Assert.True(await client.ClosedByPeerWithinAsync(Prompt), $"still open after the BYE:\n{string.Join('\n', client.Transcript)}");
        Assert.True(clock.Elapsed < 2 * Prompt, $"closed after {clock.Elapsed}");
        Assert.Contains("told BYE", Assert.Single(proxy.Logs.WithEventId(BackendLostEvent)).Message);
    }

    [Theory]
    [InlineData(MidSessionFault.MidResponse)]
    [InlineData(MidSessionFault.BetweenResponses)]
    public async Task Pop3Retr_BackendResets_ClientDisconnectedWithoutAnErrorLinePromptly(MidSessionFault fault)
    {
        await using var backend = MidSessionFaultBackend.Start(MailProtocolKind.Pop3, fault);
        await using var proxy = await StartProxyAsync(pop3Port: backend.Port);
        await using var client = await FaultTopology.LoggedInAsync(MailProtocolKind.Pop3, proxy.Pop3sPort, _pki);
        await FaultTopology.ReadUntilTheFaultAsync(client, MailProtocolKind.Pop3, fault, backend);
        var linesBefore = client.Transcript.Count;

        var clock = Stopwatch.StartNew();
        backend.ResetAll();

        Assert.True(await client.ClosedByPeerWithinAsync(Prompt), $"still open after {Prompt}:\n{string.Join('\n', client.Transcript)}");
        Assert.True(clock.Elapsed < Prompt, $"closed after {clock.Elapsed}");
        Assert.Empty(client.Transcript.Skip(linesBefore));
        Assert.Single(proxy.Logs.WithEventId(BackendLostEvent));
    }

    public void Dispose() => _pki.Dispose();

    private Task<ProxyUnderTest> StartProxyAsync(int? imapPort = null, int? pop3Port = null) =>
        ProxyUnderTest.StartAsync(
            FaultTopology.Create(_pki, imapPort ?? FaultyBackend.ClosedPort(), pop3Port ?? FaultyBackend.ClosedPort()),
            Topologies.Users, _pki.CertificatePath, _pki.KeyPath, FaultTopology.Settings);
}
