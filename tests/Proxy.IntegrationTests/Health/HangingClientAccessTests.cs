using System.Diagnostics;
using MailKit.Security;
using Proxy.Core.Backends;
using Proxy.Core.Backends.Health;
using Proxy.Core.Configuration;
using Proxy.Core.Discovery;
using Proxy.IntegrationTests.Harness;
using Proxy.IntegrationTests.Ordering;

namespace Proxy.IntegrationTests.Health;

/// <summary>
/// carol's 2007 mailbox behind two Client Access servers, where the one her rendezvous hash
/// ranks first is dead but listening (it accepts and never answers) and the other is a real
/// Dovecot. Health routes her to the live one at once; without health knowledge the attempt
/// timeout still gets her there.
/// </summary>
public sealed class HangingClientAccessTests(HealthFixture fixture) : IClassFixture<HealthFixture>
{
    private const string CasA = "HQ-CAS2007A";
    private const string CasB = "HQ-CAS2007B";
    private const string Welcome = "Welcome to " + Topologies.Db2007;

    private readonly HealthFixture _fixture = fixture;

    /// <summary>The CAS carol's sessions land on when both are up (the rendezvous hash's choice).</summary>
    private static string Preferred =>
        RendezvousHash.Score(Topologies.Carol, CasA.ToLowerInvariant()) > RendezvousHash.Score(Topologies.Carol, CasB.ToLowerInvariant()) ? CasA : CasB;

    private static string Sibling => Preferred == CasA ? CasB : CasA;

    [Theory]
    [InlineData(MailProtocolKind.Imap)]
    [InlineData(MailProtocolKind.Pop3)]
    public async Task PreferredCasHangs_ProbesMarkIt_LoginGoesToTheSiblingAtOnce(MailProtocolKind protocol)
    {
        await using var hungSsl = FaultyBackend.Start(Fault.NeverGreets);
        await using var hungPlain = FaultyBackend.Start(Fault.NeverGreets);
        await using var proxy = await StartAsync(
            hungSsl.Port, hungPlain.Port,
            HealthWait.FastProbes(("Proxy:Backends:AttemptTimeout", "00:00:10"), ("Proxy:Backends:TotalTimeout", "00:00:30")));
        var kind = Kind(protocol);
        await HealthWait.UntilAsync(
            proxy,
            s => s.Where(e => e.Protocol == kind).All(e => e.State == (e.Server == Preferred ? HealthState.Unhealthy : HealthState.Healthy)),
            $"{Preferred} unhealthy and {Sibling} healthy");

        var clock = Stopwatch.StartNew();
        var subject = await LoginAsync(proxy, protocol);
        clock.Stop();

        Assert.Equal(Welcome, subject);
        // Well under one attempt timeout (10 s): the hung server was not dialled at all.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"the login took {clock.Elapsed}");
        var attempt = Assert.Single(BackendAttempt.All(proxy.Logs));
        Assert.Equal((Sibling, true, "Ssl"), (attempt.Server, attempt.Succeeded, attempt.Method));
    }

    [Theory]
    [InlineData(MailProtocolKind.Imap)]
    [InlineData(MailProtocolKind.Pop3)]
    public async Task PreferredCasNeverGreets_NoProbes_TimedOutThenSibling_NextLoginGoesThereAtOnce(MailProtocolKind protocol)
    {
        await using var hungSsl = FaultyBackend.Start(Fault.NeverGreets);
        await using var hungPlain = FaultyBackend.Start(Fault.NeverGreets);
        await using var proxy = await StartAsync(
            hungSsl.Port, hungPlain.Port,
            new Dictionary<string, string?> { ["Proxy:Backends:AttemptTimeout"] = "00:00:03", ["Proxy:Backends:TotalTimeout"] = "00:00:30" });

        var first = Stopwatch.StartNew();
        Assert.Equal(Welcome, await LoginAsync(proxy, protocol));
        first.Stop();

        // The TLS handshake (SSL) and the greeting (STARTTLS) each hit the 3 s attempt timeout.
        Assert.Equal(
            [(Preferred, false, "Ssl"), (Preferred, false, "StartTls"), (Sibling, true, "Ssl")],
            BackendAttempt.All(proxy.Logs).Select(a => (a.Server, a.Succeeded, a.Method)));
        Assert.Contains("BadGreeting (state=banner)", BackendAttempt.All(proxy.Logs)[1].Message);
        Assert.True(first.Elapsed >= TimeSpan.FromSeconds(5.9) && first.Elapsed < TimeSpan.FromSeconds(20), $"the first login took {first.Elapsed}");

        // The timeouts fed passive health: the hung endpoints have a session's error, the sibling is healthy.
        var health = await HealthWait.UntilAsync(proxy, _ => true, "anything");
        var kind = Kind(protocol);
        Assert.All(
            health.Where(e => e.Protocol == kind && e.Server == Preferred),
            e => Assert.Equal(HealthSource.Session, e.LastError!.Source));
        Assert.Contains(health, e => e.Protocol == kind && e.Server == Sibling && e.State == HealthState.Healthy);

        var before = BackendAttempt.All(proxy.Logs).Count;
        Assert.Equal(Welcome, await LoginAsync(proxy, protocol));

        // The healthy sibling now ranks first: the hung server is not dialled, so no timeout is paid.
        var attempt = Assert.Single(BackendAttempt.All(proxy.Logs).Skip(before));
        Assert.Equal((Sibling, true), (attempt.Server, attempt.Succeeded));
    }

    [Theory]
    [InlineData(MailProtocolKind.Imap)]
    [InlineData(MailProtocolKind.Pop3)]
    public async Task PreferredCasStallsAtLogin_TimedOutThenSiblingUsed(MailProtocolKind protocol)
    {
        await using var stalling = FaultyBackend.Start(Fault.StallsAtLogin, protocol, _fixture.Pki.ServerCertificate);
        var closed = FaultyBackend.ClosedPort();
        await using var proxy = await StartAsync(
            stalling.Port, closed,
            new Dictionary<string, string?> { ["Proxy:Backends:AttemptTimeout"] = "00:00:03", ["Proxy:Backends:TotalTimeout"] = "00:00:30" });

        var clock = Stopwatch.StartNew();
        Assert.Equal(Welcome, await LoginAsync(proxy, protocol));
        clock.Stop();

        Assert.Equal(1, stalling.LoginCommands);
        var attempts = BackendAttempt.All(proxy.Logs);
        Assert.Equal(
            [(Preferred, false, "Ssl"), (Preferred, false, "StartTls"), (Sibling, true, "Ssl")],
            attempts.Select(a => (a.Server, a.Succeeded, a.Method)));
        Assert.Contains("Timeout (state=login)", attempts[0].Message);
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(2.9) && clock.Elapsed < TimeSpan.FromSeconds(20), $"the login took {clock.Elapsed}");
    }

    private static MailProtocol Kind(MailProtocolKind protocol) => protocol == MailProtocolKind.Imap ? MailProtocol.Imap : MailProtocol.Pop3;

    /// <summary>The preferred CAS on the given (faulty) ports for both protocols, the sibling on the real Dovecot.</summary>
    private Task<ProxyUnderTest> StartAsync(int preferredSsl, int preferredPlain, Dictionary<string, string?> settings)
    {
        var backend = _fixture.Backend;
        var faulty = (Topologies.Ports(preferredSsl, preferredPlain), Topologies.Ports(preferredSsl, preferredPlain));
        var live = (Topologies.Ports(backend.ImapSslPort, backend.ImapPort), Topologies.Ports(backend.Pop3SslPort, backend.Pop3Port));
        var topology = Preferred == CasA ? Topologies.Pair2007(_fixture.Pki, faulty, live) : Topologies.Pair2007(_fixture.Pki, live, faulty);
        return ProxyUnderTest.StartAsync(topology, Topologies.Users, _fixture.Pki.CertificatePath, _fixture.Pki.KeyPath, settings);
    }

    private Task<string?> LoginAsync(ProxyUnderTest proxy, MailProtocolKind protocol) =>
        MailKitLogin.FirstSubjectAsync(protocol, proxy.ImplicitTlsPort(protocol), SecureSocketOptions.SslOnConnect, Topologies.Carol, Topologies.Password, _fixture.Pki);
}
