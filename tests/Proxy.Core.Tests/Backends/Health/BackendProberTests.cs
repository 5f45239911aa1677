using Proxy.Core.Backends;
using Proxy.Core.Backends.Health;
using Proxy.Core.Backends.Login;
using Proxy.Core.Configuration;
using Proxy.Core.Discovery;
using Proxy.Core.Tests.Backends.Fakes;
using Proxy.Core.Tests.TestDoubles;

namespace Proxy.Core.Tests.Backends.Health;

/// <summary>One probe against scripted backends: what it says on the wire, and how it judges.</summary>
public sealed class BackendProberTests
{
    private static readonly TestCertificates Certificates = TestCertificates.Shared;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    private readonly BackendProber _prober = new([new ImapBackendLogin(), new Pop3BackendLogin()], TimeProvider.System);

    [Fact]
    public async Task Imap_Ssl_GreetsCapabilityLogoutAndNeverLogsIn()
    {
        var script = new FakeImapScript();
        await using var backend = FakeBackend.Start(script.RunAsync, Certificates.Server);

        var result = await ProbeAsync(MailProtocol.Imap, backend, BackendMethod.Ssl);

        Assert.Equal(BackendFailureKind.None, result.Failure);
        await backend.WhenScriptsDoneAsync();
        Assert.Equal("P1 CAPABILITY\r\nP2 LOGOUT\r\n", backend.Clients[0].Received);
        Assert.Empty(script.LoginCommands);
    }

    [Fact]
    public async Task Imap_StartTls_UpgradesThenAsksCapabilitiesOverTls()
    {
        await using var backend = FakeBackend.Start(new FakeImapScript { StartTlsCertificate = Certificates.Server }.RunAsync);

        var result = await ProbeAsync(MailProtocol.Imap, backend, BackendMethod.StartTls);

        Assert.Equal(BackendFailureKind.None, result.Failure);
        await backend.WhenScriptsDoneAsync();
        Assert.True(backend.Clients[0].IsTls);
        // Dovecot's greeting lists the capabilities; after TLS they are asked again.
        Assert.Equal("P1 STARTTLS\r\nP2 CAPABILITY\r\nP3 LOGOUT\r\n", backend.Clients[0].Received);
    }

    [Fact]
    public async Task Imap_StartTlsMethodButNotOffered_NoStartTls()
    {
        await using var backend = FakeBackend.Start(new FakeImapScript { Capabilities = "IMAP4rev1 AUTH=PLAIN", Greeting = "* OK ready" }.RunAsync);

        var result = await ProbeAsync(MailProtocol.Imap, backend, BackendMethod.StartTls);

        Assert.Equal(BackendFailureKind.NoStartTls, result.Failure);
        Assert.Equal("backend does not offer STARTTLS (state=starttls)", result.Error);
    }

    [Fact]
    public async Task Pop3_StartTls_StlsCapaQuitAndNeverLogsIn()
    {
        var script = new FakePop3Script { StartTlsCertificate = Certificates.Server };
        await using var backend = FakeBackend.Start(script.RunAsync);

        var result = await ProbeAsync(MailProtocol.Pop3, backend, BackendMethod.StartTls);

        Assert.Equal(BackendFailureKind.None, result.Failure);
        await backend.WhenScriptsDoneAsync();
        Assert.Equal("CAPA\r\nSTLS\r\nCAPA\r\nQUIT\r\n", backend.Clients[0].Received);
        Assert.Empty(script.LoginCommands);
    }

    [Fact]
    public async Task Pop3_BadGreeting_Failed()
    {
        await using var backend = FakeBackend.Start(new FakePop3Script { Greeting = "-ERR [SYS/TEMP] too many connections" }.RunAsync, Certificates.Server);

        var result = await ProbeAsync(MailProtocol.Pop3, backend, BackendMethod.Ssl);

        Assert.Equal(BackendFailureKind.BadGreeting, result.Failure);
        Assert.Equal("unexpected greeting: -ERR [SYS/TEMP] too many connections (state=banner)", result.Error);
    }

    [Fact]
    public async Task Ssl_UntrustedCertificate_TlsFailureSaysWhy()
    {
        await using var backend = FakeBackend.Start(new FakeImapScript().RunAsync, Certificates.SelfSigned);

        var result = await ProbeAsync(MailProtocol.Imap, backend, BackendMethod.Ssl);

        Assert.Equal(BackendFailureKind.Tls, result.Failure);
        Assert.Equal("TLS handshake failed: certificate rejected (RemoteCertificateChainErrors) (state=tls)", result.Error);
    }

    [Fact]
    public async Task ClosedPort_ConnectFailure()
    {
        var endpoint = new BackendEndpoint("127.0.0.1", FakeBackend.ClosedPort(), BackendMethod.Ssl);

        var result = await _prober.ProbeAsync(new EndpointKey("CAS", MailProtocol.Imap, endpoint), TrustingServer(), Timeout, CancellationToken.None);

        Assert.Equal(BackendFailureKind.Connect, result.Failure);
        Assert.EndsWith("(state=connect)", result.Error);
    }

    [Fact]
    public async Task NeverGreets_BadGreetingWhenTheProbeTimeoutRunsOut()
    {
        var clock = new ManualTimeProvider();
        var prober = new BackendProber([new ImapBackendLogin()], clock);
        var greeted = new TaskCompletionSource();
        await using var backend = FakeBackend.Start(async client =>
        {
            greeted.SetResult();
            await client.ReadToEndAsync();
        });
        var endpoint = backend.Endpoint(BackendMethod.StartTls);

        var probe = prober.ProbeAsync(new EndpointKey("CAS", MailProtocol.Imap, endpoint), TrustingServer(), Timeout, CancellationToken.None);
        await greeted.Task.WaitAsync(TimeSpan.FromSeconds(5));
        await clock.WaitForTimerAsync(1);

        // The accept is seen before the prober is back from connecting; give it a moment to start
        // waiting for the greeting. Should it not have, the verdict is a plain timeout in state connect.
        await Task.Delay(100);
        clock.Advance(Timeout);
        var result = await probe.WaitAsync(TimeSpan.FromSeconds(5));

        Assert.Equal(Timeout, result.Latency);
        if (result.Error!.EndsWith("(state=banner)", StringComparison.Ordinal))
        {
            Assert.Equal((BackendFailureKind.BadGreeting, "no greeting within Health:ProbeTimeout (00:00:05) (state=banner)"), (result.Failure, result.Error));
        }
        else
        {
            Assert.Equal((BackendFailureKind.Timeout, "no answer within Health:ProbeTimeout (00:00:05) (state=connect)"), (result.Failure, result.Error));
        }
    }

    [Fact]
    public async Task GoodbyeUnanswered_StillHealthy()
    {
        var clock = new ManualTimeProvider();
        var prober = new BackendProber([new Pop3BackendLogin()], clock);
        var quit = new TaskCompletionSource();
        await using var backend = FakeBackend.Start(async client =>
        {
            await client.SendAsync("+OK ready\r\n");
            await client.ReadLineAsync();
            await client.SendAsync("+OK\r\nUSER\r\n.\r\n");
            await client.ReadLineAsync();
            quit.SetResult();
            await client.ReadToEndAsync();
        });

        var probe = prober.ProbeAsync(new EndpointKey("CAS", MailProtocol.Pop3, backend.Endpoint(BackendMethod.Plain)), TrustingServer(), Timeout, CancellationToken.None);
        await quit.Task.WaitAsync(TimeSpan.FromSeconds(5));
        await clock.WaitForTimerAsync(1);
        clock.Advance(Timeout);

        Assert.Equal(BackendFailureKind.None, (await probe.WaitAsync(TimeSpan.FromSeconds(5))).Failure);
    }

    private static BackendServer TrustingServer() => ConnectorHarness.TrustingServer("CAS");

    private Task<ProbeResult> ProbeAsync(MailProtocol protocol, FakeBackend backend, BackendMethod method) =>
        _prober.ProbeAsync(new EndpointKey("CAS", protocol, backend.Endpoint(method)), TrustingServer(), Timeout, CancellationToken.None);
}
