using Proxy.IntegrationTests.Harness;
using Proxy.IntegrationTests.Infrastructure;
using Proxy.IntegrationTests.Ordering;

namespace Proxy.IntegrationTests.Failures;

/// <summary>
/// Backends dying mid-session many times leave nothing behind in the proxy: every session
/// ends and both of its sockets are closed. Measured on the proxy as its own process
/// (<c>/proc/PID/fd</c>), so nothing else running in the test process can disturb the count.
/// </summary>
public sealed class DescriptorLeakTests : IDisposable
{
    private const int Failures = 50;

    // Runtime housekeeping (a thread-pool worker's eventfd, a timer) may come and go; a leak grows with the count.
    private const int Tolerance = 8;

    private readonly TestPki _pki = TestPki.Create();

    [Fact]
    public async Task BackendResetsMidSession_ManyTimes_ProxyHoldsNoMoreDescriptorsAfterwards()
    {
        await using var imapBackend = MidSessionFaultBackend.Start(MailProtocolKind.Imap, MidSessionFault.MidResponse);
        await using var pop3Backend = MidSessionFaultBackend.Start(MailProtocolKind.Pop3, MidSessionFault.BetweenResponses);
        await using var proxy = await ProxyProcess.StartAsync(
            FaultTopology.Create(_pki, imapBackend.Port, pop3Backend.Port), Topologies.Users, _pki, FaultTopology.Settings);

        // Warm up first: the first sessions create the runtime's lasting things (thread-pool threads, TLS state).
        for (var i = 0; i < 4; i++)
        {
            await FailOnceAsync(proxy, i % 2 == 0 ? imapBackend : pop3Backend, i % 2 == 0 ? MailProtocolKind.Imap : MailProtocolKind.Pop3);
        }

        var before = await SettledDescriptorsAsync(proxy, ceiling: int.MaxValue);

        for (var i = 0; i < Failures; i++)
        {
            var imap = i % 2 == 0;
            await FailOnceAsync(proxy, imap ? imapBackend : pop3Backend, imap ? MailProtocolKind.Imap : MailProtocolKind.Pop3);
        }

        var after = await SettledDescriptorsAsync(proxy, ceiling: before + Tolerance);
        Assert.True(after <= before + Tolerance, $"{before} descriptors before {Failures} backend failures, {after} after:\n{Descriptors(proxy)}");
        Assert.DoesNotContain("Unhandled", proxy.Output);
    }

    public void Dispose() => _pki.Dispose();

    private async Task FailOnceAsync(ProxyProcess proxy, MidSessionFaultBackend backend, MailProtocolKind protocol)
    {
        var fault = protocol == MailProtocolKind.Imap ? MidSessionFault.MidResponse : MidSessionFault.BetweenResponses;
        await using var client = await FaultTopology.LoggedInAsync(protocol, protocol == MailProtocolKind.Imap ? proxy.ImapsPort : proxy.Pop3sPort, _pki);
        await FaultTopology.ReadUntilTheFaultAsync(client, protocol, fault, backend);
        backend.ResetAll();
        Assert.True(await client.ClosedByPeerWithinAsync(TimeSpan.FromSeconds(5)), $"still open:\n{string.Join('\n', client.Transcript)}");
    }

    /// <summary>The descriptor count once the last session's sockets have been closed (polled, bounded).</summary>
    private static async Task<int> SettledDescriptorsAsync(ProxyProcess proxy, int ceiling)
    {
        var count = proxy.OpenFileDescriptors;
        for (var i = 0; i < 50 && count > ceiling; i++)
        {
            await Task.Delay(100);
            count = proxy.OpenFileDescriptors;
        }

        // Let a closing socket or two finish before taking the baseline, too.
        await Task.Delay(200);
        return Math.Min(count, proxy.OpenFileDescriptors);
    }

    private static string Descriptors(ProxyProcess proxy) => string.Join('\n',
        Directory.EnumerateFileSystemEntries($"/proc/{proxy.Id}/fd")
            .Select(fd => new FileInfo(fd).LinkTarget ?? "?")
            .GroupBy(target => target.StartsWith("socket:", StringComparison.Ordinal) ? "socket" : target)
            .Select(g => $"{g.Count(),4} {g.Key}"));
}
