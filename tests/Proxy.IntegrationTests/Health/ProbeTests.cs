using System.Diagnostics;
using System.Text.RegularExpressions;
using MailKit.Security;
using Microsoft.Extensions.Logging;
using Proxy.Core.Backends;
using Proxy.Core.Backends.Health;
using Proxy.IntegrationTests.Harness;
using Proxy.IntegrationTests.Ordering;

namespace Proxy.IntegrationTests.Health;

/// <summary>Active probes against a real Dovecot that is stopped and started again.</summary>
public sealed class ProbeTests(HealthFixture fixture) : IClassFixture<HealthFixture>
{
    private const int UnhealthyEvent = 3501;
    private const int HealthyEvent = 3500;

    private readonly HealthFixture _fixture = fixture;

    [Fact]
    public async Task StoppedDovecot_ProbeMarksEveryEndpointUnhealthyWithinAnInterval_HealthyAgainAfterRestart()
    {
        var backend = _fixture.Backend;
        var topology = Topologies.Single2013(
            _fixture.Pki,
            Topologies.Ports(backend.ImapSslPort, backend.ImapPort),
            Topologies.Ports(backend.Pop3SslPort, backend.Pop3Port));
        // One failed probe is enough here, so the time to notice is one interval (plus jitter and a refused
        // connect); the timeout is longer than the interval so that a busy test machine does not fail a probe.
        await using var proxy = await ProxyUnderTest.StartAsync(
            topology, Topologies.Users, _fixture.Pki.CertificatePath, _fixture.Pki.KeyPath, HealthWait.FastProbes(("Proxy:Health:UnhealthyThreshold", "1"), ("Proxy:Health:ProbeTimeout", "00:00:03")));

        var up = await HealthWait.UntilAsync(proxy, s => s.Count > 0 && s.All(e => e.State == HealthState.Healthy), "every endpoint healthy");
        Assert.Equal(["Imap Ssl", "Imap StartTls", "Pop3 Ssl", "Pop3 StartTls"], up.Select(e => $"{e.Protocol} {e.Endpoint.Method}").Order());
        Assert.All(up, e => Assert.NotNull(e.LastProbeLatency));

        var beforeStop = proxy.Logs.Entries.Count;
        await backend.StopAsync();
        IReadOnlyList<EndpointHealthSnapshot> down;
        var clock = Stopwatch.StartNew();
        try
        {
            // A probe in flight at the kill may fail otherwise (a reset mid-handshake); the next one is refused.
            down = await HealthWait.UntilAsync(
                proxy,
                s => s.All(e => e.State == HealthState.Unhealthy && e.LastError?.Kind == BackendFailureKind.Connect),
                "every endpoint unhealthy, refused");
            clock.Stop();
        }
        finally
        {
            await backend.RestartAsync();
        }

        // Interval 1 s × (1 + 0.2 jitter), then a refused connect: 5 s is a generous bound.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"noticed after {clock.Elapsed}");
        Assert.All(down, e => Assert.Equal(HealthSource.Probe, e.LastError!.Source));
        Assert.Equal(Endpoints(up), LoggedEndpoints(proxy, beforeStop, UnhealthyEvent, LogLevel.Warning));

        await HealthWait.UntilAsync(proxy, s => s.All(e => e.State == HealthState.Healthy), "every endpoint healthy again");
        // Recoveries are news (Information); the first verdict after start was not (Debug).
        Assert.Equal(Endpoints(up), LoggedEndpoints(proxy, beforeStop, HealthyEvent, LogLevel.Information));

        // Probes reached Dovecot's login processes and never logged in.
        var dovecotLog = backend.ReadLogTail(400);
        Assert.Contains("no auth attempts", dovecotLog);
        Assert.DoesNotContain("Login: user=", dovecotLog);

        var subject = await MailKitLogin.FirstSubjectAsync(MailProtocolKind.Imap, proxy.ImapsPort, SecureSocketOptions.SslOnConnect, Topologies.Alice, Topologies.Password, _fixture.Pki);
        Assert.Equal("Welcome to " + Topologies.Db2013, subject);
    }

    private static List<string> Endpoints(IEnumerable<EndpointHealthSnapshot> snapshot) =>
        snapshot.Select(e => $"{e.Protocol} endpoint {e.Endpoint}").Order().ToList();

    /// <summary>The endpoints named by the events logged since <paramref name="from"/>, each once.</summary>
    private static List<string> LoggedEndpoints(ProxyUnderTest proxy, int from, int eventId, LogLevel level) =>
        proxy.Logs.Entries.Skip(from)
            .Where(e => e.EventId == eventId && e.Level == level)
            .Select(e => Regex.Match(e.Message, @"(Imap|Pop3) endpoint \S+").Value)
            .Distinct()
            .Order()
            .ToList();
}
