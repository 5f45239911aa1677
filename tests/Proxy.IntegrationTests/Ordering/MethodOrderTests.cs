using System.Diagnostics;
using MailKit.Security;
using Proxy.Core.Configuration;
using Proxy.IntegrationTests.Harness;

namespace Proxy.IntegrationTests.Ordering;

/// <summary>
/// Issue 2 "Ordering tests": the order of backend methods the proxy tries, seen through a
/// real client and the proxy's attempt log (3300 succeeded, 3301 failed, 3302 plaintext, 3303 unavailable).
/// </summary>
public sealed class MethodOrderTests(OrderingFixture fixture) : IClassFixture<OrderingFixture>
{
    private const string Welcome = "Welcome to " + Topologies.Db2013;

    private readonly OrderingFixture _fixture = fixture;

    [Theory]
    [InlineData(MailProtocolKind.Imap)]
    [InlineData(MailProtocolKind.Pop3)]
    public async Task ImplicitTlsClient_BackendSslPortClosed_LogsInViaStartTls(MailProtocolKind protocol)
    {
        var closed = FaultyBackend.ClosedPort();
        var plain = PlainPort(protocol);
        await using var proxy = await StartProxyAsync(SslAndPlain(protocol, closed, plain));

        var subject = await MailKitLogin.FirstSubjectAsync(protocol, proxy.ImplicitTlsPort(protocol), SecureSocketOptions.SslOnConnect, Topologies.Alice, Topologies.Password, _fixture.Pki);

        Assert.Equal(Welcome, subject);
        var attempts = BackendAttempt.All(proxy.Logs);
        Assert.Collection(
            attempts,
            first => Assert.Equal((false, "Ssl", closed), (first.Succeeded, first.Method, first.Port)),
            second => Assert.Equal((true, "StartTls", plain), (second.Succeeded, second.Method, second.Port)));
    }

    [Theory]
    [InlineData(MailProtocolKind.Imap, true)]
    [InlineData(MailProtocolKind.Imap, false)]
    [InlineData(MailProtocolKind.Pop3, true)]
    [InlineData(MailProtocolKind.Pop3, false)]
    public async Task BackendWithoutStartTls_PlaintextAllowed_UsesPlaintextAndWarns(MailProtocolKind protocol, bool topologyClaimsStartTls)
    {
        var port = protocol == MailProtocolKind.Imap ? _fixture.PlainOnly.ImapPort : _fixture.PlainOnly.Pop3Port;
        var ports = Topologies.Ports(ssl: null, plain: port, startTls: topologyClaimsStartTls);
        await using var proxy = await StartProxyAsync(
            Topologies.Single2013(_fixture.Pki, ports, ports),
            new Dictionary<string, string?> { ["Proxy:Backends:AllowPlaintext"] = "true" });

        var subject = await MailKitLogin.FirstSubjectAsync(protocol, proxy.ImplicitTlsPort(protocol), SecureSocketOptions.SslOnConnect, Topologies.Alice, Topologies.Password, _fixture.Pki);

        Assert.Equal(Welcome, subject);
        var attempts = BackendAttempt.All(proxy.Logs);
        // A STARTTLS the topology promises but the backend does not offer is tried, fails, and plaintext follows.
        var expected = topologyClaimsStartTls ? new[] { (false, "StartTls"), (true, "Plain") } : [(true, "Plain")];
        Assert.Equal(expected, attempts.Select(a => (a.Succeeded, a.Method)));
        var warning = Assert.Single(proxy.Logs.WithEventId(BackendAttempt.PlaintextWarningEvent));
        Assert.Contains($"127.0.0.1:{port}:Plain", warning.Message);
    }

    [Theory]
    [InlineData(MailProtocolKind.Imap)]
    [InlineData(MailProtocolKind.Pop3)]
    public async Task PlaintextClient_PlaintextAllowed_FirstAttemptIsPlain(MailProtocolKind protocol)
    {
        await using var proxy = await StartProxyAsync(AllMethods(), PlaintextInbound());

        var subject = await MailKitLogin.FirstSubjectAsync(protocol, proxy.PlainPort(protocol), SecureSocketOptions.None, Topologies.Alice, Topologies.Password, _fixture.Pki);

        Assert.Equal(Welcome, subject);
        var first = BackendAttempt.All(proxy.Logs)[0];
        Assert.Equal(("Plain", PlainPort(protocol)), (first.Method, first.Port));
    }

    [Theory]
    [InlineData(MailProtocolKind.Imap)]
    [InlineData(MailProtocolKind.Pop3)]
    public async Task PlaintextListenerClient_AfterStartTls_FirstAttemptIsSsl(MailProtocolKind protocol)
    {
        await using var proxy = await StartProxyAsync(AllMethods(), PlaintextInbound());

        var subject = await MailKitLogin.FirstSubjectAsync(protocol, proxy.PlainPort(protocol), SecureSocketOptions.StartTls, Topologies.Alice, Topologies.Password, _fixture.Pki);

        Assert.Equal(Welcome, subject);
        var first = BackendAttempt.All(proxy.Logs)[0];
        Assert.Equal((true, "Ssl", SslPort(protocol)), (first.Succeeded, first.Method, first.Port));
    }

    [Theory]
    [InlineData(MailProtocolKind.Imap)]
    [InlineData(MailProtocolKind.Pop3)]
    public async Task PlaintextForbidden_BackendOffersOnlyPlaintext_UnavailableWithoutDialling(MailProtocolKind protocol)
    {
        // A listener that counts connections: the proof that the plaintext port was never dialled.
        await using var plainOnly = FaultyBackend.Start(Fault.NeverGreets);
        var ports = Topologies.Ports(ssl: null, plain: plainOnly.Port, startTls: false);
        await using var proxy = await StartProxyAsync(Topologies.Single2013(_fixture.Pki, ports, ports));

        var (client, reply) = await RawLogin.OverTlsAsync(protocol, proxy.ImplicitTlsPort(protocol), _fixture.Pki, Topologies.Alice, Topologies.Password);
        await using var _ = client;

        Assert.StartsWith(RawLogin.UnavailablePrefix(protocol), reply);
        Assert.Equal(0, plainOnly.Accepted);
        Assert.Empty(BackendAttempt.All(proxy.Logs));
        Assert.Single(proxy.Logs.WithEventId(BackendAttempt.UnavailableEvent));
    }

    [Theory]
    [InlineData(MailProtocolKind.Imap)]
    [InlineData(MailProtocolKind.Pop3)]
    public async Task AllCandidatesDead_TwoClientAccessServers_UnavailableQuickly(MailProtocolKind protocol)
    {
        (ProtocolPortsOptions, ProtocolPortsOptions) Dead() =>
            (Topologies.Ports(FaultyBackend.ClosedPort(), FaultyBackend.ClosedPort()), Topologies.Ports(FaultyBackend.ClosedPort(), FaultyBackend.ClosedPort()));
        await using var proxy = await StartProxyAsync(Topologies.Pair2007(_fixture.Pki, Dead(), Dead()));
        await using var client = protocol == MailProtocolKind.Imap
            ? await RawMailClient.ConnectAsync(proxy.ImapsPort, _fixture.Pki)
            : await RawMailClient.ConnectAsync(proxy.Pop3sPort, _fixture.Pki);

        var clock = Stopwatch.StartNew();
        var reply = await RawLogin.LoginAsync(client, protocol, Topologies.Carol, Topologies.Password);
        clock.Stop();

        Assert.StartsWith(RawLogin.UnavailablePrefix(protocol), reply);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"the refusal took {clock.Elapsed}");
        var attempts = BackendAttempt.All(proxy.Logs);
        Assert.All(attempts, a => Assert.False(a.Succeeded));
        // Both servers, SSL then STARTTLS each; plaintext is forbidden by default.
        Assert.Equal(["HQ-CAS2007A", "HQ-CAS2007B"], attempts.Select(a => a.Server).Distinct().Order());
        Assert.Equal(4, attempts.Count);
        Assert.Single(proxy.Logs.WithEventId(BackendAttempt.UnavailableEvent));
    }

    [Theory]
    [InlineData(MailProtocolKind.Imap, Fault.NeverGreets)]
    [InlineData(MailProtocolKind.Pop3, Fault.NeverGreets)]
    [InlineData(MailProtocolKind.Imap, Fault.Resets)]
    [InlineData(MailProtocolKind.Pop3, Fault.Resets)]
    public async Task FaultySslPort_AttemptTimeoutOneSecond_NextMethodUsed(MailProtocolKind protocol, Fault fault)
    {
        await using var faulty = FaultyBackend.Start(fault);
        await using var proxy = await StartProxyAsync(
            SslAndPlain(protocol, faulty.Port, PlainPort(protocol)),
            new Dictionary<string, string?> { ["Proxy:Backends:AttemptTimeout"] = "00:00:01" });

        var clock = Stopwatch.StartNew();
        var subject = await MailKitLogin.FirstSubjectAsync(protocol, proxy.ImplicitTlsPort(protocol), SecureSocketOptions.SslOnConnect, Topologies.Alice, Topologies.Password, _fixture.Pki);
        clock.Stop();

        Assert.Equal(Welcome, subject);
        Assert.Equal(1, faulty.Accepted);
        var attempts = BackendAttempt.All(proxy.Logs);
        Assert.Collection(
            attempts,
            first => Assert.Equal((false, "Ssl", faulty.Port), (first.Succeeded, first.Method, first.Port)),
            second => Assert.Equal((true, "StartTls"), (second.Succeeded, second.Method)));
        // The hung server costs one attempt timeout, not the whole 10 s budget.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"the login took {clock.Elapsed}");
    }

    private int PlainPort(MailProtocolKind protocol) =>
        protocol == MailProtocolKind.Imap ? _fixture.Full.ImapPort : _fixture.Full.Pop3Port;

    private int SslPort(MailProtocolKind protocol) =>
        protocol == MailProtocolKind.Imap ? _fixture.Full.ImapSslPort : _fixture.Full.Pop3SslPort;

    private static Dictionary<string, string?> PlaintextInbound() => new()
    {
        ["Proxy:Imap:LoginType"] = "PlainTextLogin",
        ["Proxy:Pop3:LoginType"] = "PlainTextLogin",
        ["Proxy:Backends:AllowPlaintext"] = "true",
    };

    /// <summary>alice's server with the given SSL and STARTTLS ports for the protocol under test; the other protocol gets the real ones.</summary>
    private TopologyOptions SslAndPlain(MailProtocolKind protocol, int ssl, int plain)
    {
        var imap = protocol == MailProtocolKind.Imap ? Topologies.Ports(ssl, plain) : Topologies.Ports(_fixture.Full.ImapSslPort, _fixture.Full.ImapPort);
        var pop3 = protocol == MailProtocolKind.Pop3 ? Topologies.Ports(ssl, plain) : Topologies.Ports(_fixture.Full.Pop3SslPort, _fixture.Full.Pop3Port);
        return Topologies.Single2013(_fixture.Pki, imap, pop3);
    }

    private TopologyOptions AllMethods() => Topologies.Single2013(
        _fixture.Pki,
        Topologies.Ports(_fixture.Full.ImapSslPort, _fixture.Full.ImapPort),
        Topologies.Ports(_fixture.Full.Pop3SslPort, _fixture.Full.Pop3Port));

    private Task<ProxyUnderTest> StartProxyAsync(TopologyOptions topology, Dictionary<string, string?>? settings = null) =>
        ProxyUnderTest.StartAsync(topology, Topologies.Users, _fixture.Pki.CertificatePath, _fixture.Pki.KeyPath, settings);
}
