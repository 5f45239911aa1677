using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Proxy.Core.Backends;
using Proxy.Core.Backends.Login;
using Proxy.Core.Configuration;
using Proxy.Core.Discovery;
using Proxy.Core.Tests.Backends.Fakes;
using static Proxy.Core.Tests.Backends.Fakes.ConnectorHarness;

namespace Proxy.Core.Tests.Backends.Connect;

public sealed class BackendConnectorTests
{
    private static readonly TestCertificates Certificates = TestCertificates.Shared;

    [Fact]
    public async Task ConnectAsync_SslPortClosed_StartTlsAttemptSucceeds()
    {
        var harness = new ConnectorHarness();
        var script = new FakeImapScript { StartTlsCertificate = Certificates.Server };
        await using var backend = FakeBackend.Start(script.RunAsync);
        var server = TrustingServer("HQ-MBX2013");

        var result = await harness.ImapAsync(Alice, ClosedAttempt(server, BackendMethod.Ssl), Attempt(server, backend, BackendMethod.StartTls));

        await using var session = result.Session;
        Assert.Equal(BackendFailureKind.None, result.Failure);
        Assert.Equal(BackendMethod.StartTls, session!.Method);
        Assert.True(backend.Clients[0].IsTls);
        Assert.Contains(harness.Logger.WithEvent("BackendAttemptFailed"), e => e.Message.Contains("Connect (state=connect)"));
        var succeeded = Assert.Single(harness.Logger.WithEvent("BackendAttemptSucceeded"));
        Assert.Equal(LogLevel.Information, succeeded.Level);
        Assert.Contains("HQ-MBX2013", succeeded.Message);
        Assert.Contains("method=StartTls", succeeded.Message);
    }

    [Fact]
    public async Task ConnectAsync_NoStartTlsCapability_PlainAttemptUsedAndWarned()
    {
        var harness = new ConnectorHarness();
        var script = new FakeImapScript
        {
            Greeting = "* OK The Microsoft Exchange IMAP4 service is ready.",
            Capabilities = "IMAP4 IMAP4rev1 AUTH=NTLM AUTH=GSSAPI IDLE NAMESPACE LITERAL+",
            LoginReply = "OK LOGIN completed.",
        };
        await using var backend = FakeBackend.Start(script.RunAsync);
        var server = Server("HQ-CAS2010");

        var result = await harness.ImapAsync(Alice, Attempt(server, backend, BackendMethod.StartTls), Attempt(server, backend, BackendMethod.Plain));

        await using var session = result.Session;
        Assert.Equal(BackendMethod.Plain, session!.Method);
        Assert.Equal(2, backend.Connections);
        Assert.Equal("P1 CAPABILITY\r\n", backend.Clients[0].Received);
        Assert.Contains(harness.Logger.WithEvent("BackendAttemptFailed"), e => e.Message.Contains("NoStartTls (state=starttls)"));
        var warning = Assert.Single(harness.Logger.WithEvent("BackendPlaintextFallback"));
        Assert.Equal(LogLevel.Warning, warning.Level);
    }

    [Fact]
    public async Task ConnectAsync_FailedAttempt_ClosesItsConnection()
    {
        var harness = new ConnectorHarness();
        var script = new FakeImapScript { Capabilities = "IMAP4rev1", Greeting = "* OK ready" };
        await using var backend = FakeBackend.Start(script.RunAsync);

        var result = await harness.ImapAsync(Alice, Attempt(Server("A"), backend, BackendMethod.StartTls));

        Assert.Equal(BackendFailureKind.NoStartTls, result.Failure);
        // The script ends only when it reads end of stream.
        await backend.WhenScriptsDoneAsync();
    }

    [Fact]
    public async Task ConnectAsync_PlaintextForbidden_PlainEndpointNeverDialled()
    {
        var harness = new ConnectorHarness(o => o.AllowPlaintext = false);
        var script = new FakeImapScript();
        await using var plain = FakeBackend.Start(script.RunAsync);
        await using var ssl = FakeBackend.Start(new FakeImapScript().RunAsync, Certificates.Server);
        var server = TrustingServer("HQ-MBX2013");

        var result = await harness.ImapAsync(Alice, Attempt(server, plain, BackendMethod.Plain), Attempt(server, ssl, BackendMethod.Ssl));

        await using var session = result.Session;
        Assert.Equal(BackendMethod.Ssl, session!.Method);
        Assert.Equal(0, plain.Connections);
        Assert.Single(harness.Logger.WithEvent("BackendPlaintextAttemptSkipped"));
        Assert.Empty(harness.Logger.WithEvent("BackendPlaintextFallback"));
    }

    [Fact]
    public async Task ConnectAsync_OnlyPlaintextAndForbidden_NoEndpoints()
    {
        var harness = new ConnectorHarness(o => o.AllowPlaintext = false);
        await using var plain = FakeBackend.Start(new FakeImapScript().RunAsync);

        var result = await harness.ImapAsync(Alice, Attempt(Server("A"), plain, BackendMethod.Plain));

        Assert.Equal(BackendFailureKind.NoEndpoints, result.Failure);
        Assert.Equal(0, plain.Connections);
    }

    [Fact]
    public async Task ConnectAsync_EmptyPlan_NoEndpoints()
    {
        var harness = new ConnectorHarness();

        var result = await harness.ImapAsync(Alice);

        Assert.Equal(BackendFailureKind.NoEndpoints, result.Failure);
        Assert.Null(result.Session);
    }

    [Fact]
    public async Task ConnectAsync_BackendNeverGreets_AttemptTimesOutAndNextIsTried()
    {
        var harness = new ConnectorHarness(o => o.AttemptTimeout = TimeSpan.FromMilliseconds(300));
        await using var silent = FakeBackend.Start(client => client.ReadToEndAsync());
        await using var good = FakeBackend.Start(new FakeImapScript().RunAsync);
        var stopwatch = Stopwatch.StartNew();

        var result = await harness.ImapAsync(Alice, Attempt(Server("A"), silent, BackendMethod.Plain), Attempt(Server("B"), good, BackendMethod.Plain));

        await using var session = result.Session;
        Assert.Equal("B", session!.Server.Name);
        Assert.InRange(stopwatch.Elapsed, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(2));
        Assert.Contains(harness.Logger.WithEvent("BackendAttemptFailed"), e => e.Message.Contains("BadGreeting (state=banner)"));
        await silent.WhenScriptsDoneAsync();
    }

    [Fact]
    public async Task ConnectAsync_BackendStallsAfterLoginCommand_TimeoutThenNextIsTried()
    {
        // Long enough for the greeting to arrive on a loaded machine: the stall must be seen at login, not at the banner.
        var harness = new ConnectorHarness(o => o.AttemptTimeout = TimeSpan.FromSeconds(1.5));
        await using var stalling = FakeBackend.Start(async client =>
        {
            await client.SendAsync($"* OK [CAPABILITY {FakeImapScript.DovecotCapabilities}] ready\r\n");
            await client.ReadToEndAsync();
        });
        await using var good = FakeBackend.Start(new FakeImapScript().RunAsync);

        var result = await harness.ImapAsync(Alice, Attempt(Server("A"), stalling, BackendMethod.Plain), Attempt(Server("B"), good, BackendMethod.Plain));

        await using var session = result.Session;
        Assert.Equal("B", session!.Server.Name);
        Assert.Contains(harness.Logger.WithEvent("BackendAttemptFailed"), e => e.Message.Contains("Timeout (state=login)"));
    }

    [Fact]
    public async Task ConnectAsync_EveryBackendSilent_WalkEndsWithinBudgetAsTimeout()
    {
        var harness = new ConnectorHarness(o =>
        {
            o.AttemptTimeout = TimeSpan.FromMilliseconds(600);
            o.TotalTimeout = TimeSpan.FromMilliseconds(1000);
        });
        await using var silent = FakeBackend.Start(client => client.ReadToEndAsync());
        var attempts = Enumerable.Range(1, 4).Select(i => Attempt(Server($"S{i}"), silent, BackendMethod.Plain)).ToArray();
        var stopwatch = Stopwatch.StartNew();

        var result = await harness.ImapAsync(Alice, attempts);

        Assert.Equal(BackendFailureKind.Timeout, result.Failure);
        Assert.InRange(stopwatch.Elapsed, TimeSpan.FromMilliseconds(900), TimeSpan.FromSeconds(4));
        // The budget, not the list, ended the walk: not every server was dialled. (How many were
        // depends on scheduling; moving on after an attempt's own timeout has its own test.)
        Assert.InRange(silent.Connections, 1, 3);
        Assert.Contains(harness.Logger.WithEvent("BackendAttemptFailed"), e => e.Message.Contains("budget"));
        Assert.Single(harness.Logger.WithEvent("BackendUnavailable"));
    }

    [Fact]
    public async Task ConnectAsync_AllPortsClosed_FailsQuicklyWithConnect()
    {
        var harness = new ConnectorHarness();
        var attempts = new[]
        {
            ClosedAttempt(Server("A"), BackendMethod.Ssl),
            ClosedAttempt(Server("A"), BackendMethod.StartTls),
            ClosedAttempt(Server("B"), BackendMethod.Ssl),
            ClosedAttempt(Server("B"), BackendMethod.Plain),
        };
        var stopwatch = Stopwatch.StartNew();

        var result = await harness.ImapAsync(Alice, attempts);

        Assert.Equal(BackendFailureKind.Connect, result.Failure);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(1), $"took {stopwatch.Elapsed}");
        Assert.Equal(4, harness.Logger.WithEvent("BackendAttemptFailed").Count);
        var unavailable = Assert.Single(harness.Logger.WithEvent("BackendUnavailable"));
        Assert.Contains("4 attempt(s)", unavailable.Message);
    }

    [Fact]
    public async Task ConnectAsync_PasswordRejected_StopsWithoutContactingNextServer()
    {
        var harness = new ConnectorHarness();
        var rejecting = new FakeImapScript { LoginReply = "NO [AUTHENTICATIONFAILED] Authentication failed." };
        await using var first = FakeBackend.Start(rejecting.RunAsync);
        await using var second = FakeBackend.Start(new FakeImapScript().RunAsync);

        var result = await harness.ImapAsync(Alice, Attempt(Server("A"), first, BackendMethod.Plain), Attempt(Server("B"), second, BackendMethod.Plain));

        Assert.Equal(BackendFailureKind.AuthRejected, result.Failure);
        Assert.Equal(0, second.Connections);
        Assert.Single(harness.Logger.WithEvent("BackendRejectedCredentials"));
        Assert.Empty(harness.Logger.WithEvent("BackendUnavailable"));
    }

    [Fact]
    public async Task ConnectAsync_Unavailable_NextServerTried()
    {
        var harness = new ConnectorHarness();
        var busy = new FakeImapScript { LoginReply = "NO [UNAVAILABLE] Temporary authentication failure." };
        await using var first = FakeBackend.Start(busy.RunAsync);
        await using var second = FakeBackend.Start(new FakeImapScript().RunAsync);

        var result = await harness.ImapAsync(Alice, Attempt(Server("A"), first, BackendMethod.Plain), Attempt(Server("B"), second, BackendMethod.Plain));

        await using var session = result.Session;
        Assert.Equal("B", session!.Server.Name);
        Assert.Contains(harness.Logger.WithEvent("BackendAttemptFailed"), e => e.Message.Contains("AuthTempFail (state=login)"));
    }

    [Fact]
    public async Task ConnectAsync_UnavailableThenDead_ReportsAuthTempFail()
    {
        var harness = new ConnectorHarness();
        var busy = new FakeImapScript { LoginReply = "NO [UNAVAILABLE] Temporary authentication failure." };
        await using var first = FakeBackend.Start(busy.RunAsync);

        var result = await harness.ImapAsync(Alice, Attempt(Server("A"), first, BackendMethod.Plain), ClosedAttempt(Server("B"), BackendMethod.Ssl));

        Assert.Equal(BackendFailureKind.AuthTempFail, result.Failure);
    }

    [Fact]
    public async Task ConnectAsync_BackendEchoesPassword_LogsNeverShowIt()
    {
        var harness = new ConnectorHarness();
        var credentials = new BackendCredentials("alice@contoso.lab", "S3cret-Echo");
        var echoing = new FakeImapScript { Capabilities = "IMAP4rev1", Greeting = "* OK ready", LoginReply = "BAD Error in LOGIN alice@contoso.lab S3cret-Echo" };
        await using var backend = FakeBackend.Start(echoing.RunAsync);

        var result = await harness.ImapAsync(credentials, Attempt(Server("A"), backend, BackendMethod.Plain));

        Assert.Equal(BackendFailureKind.Protocol, result.Failure);
        Assert.DoesNotContain("S3cret-Echo", harness.Logger.AllText);
        Assert.Contains("********", harness.Logger.AllText);
    }

    [Fact]
    public async Task ConnectAsync_BytesAfterLoginResponse_HandedOverWithSession()
    {
        var harness = new ConnectorHarness();
        var script = new FakeImapScript { AfterLogin = "* 3 EXISTS\r\n" };
        await using var backend = FakeBackend.Start(script.RunAsync);

        var result = await harness.ImapAsync(Alice, Attempt(Server("A"), backend, BackendMethod.Plain));

        await using var session = result.Session!;
        Assert.Equal("* 3 EXISTS\r\n", await SessionReader.ReadAsync(session, "* 3 EXISTS\r\n".Length));
        await session.Output.WriteAsync("A1 LOGOUT\r\n"u8.ToArray());
        Assert.Equal("* BYE Logging out\r\nA1 OK Logout completed.\r\n", await SessionReader.ReadAsync(session, 43));
    }

    [Fact]
    public async Task ConnectAsync_CallerCancels_ThrowsOperationCanceled()
    {
        var harness = new ConnectorHarness();
        await using var silent = FakeBackend.Start(client => client.ReadToEndAsync());
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            harness.Connector.ConnectAsync(MailProtocol.Imap, [Attempt(Server("A"), silent, BackendMethod.Plain)], Alice, cancellation.Token));
        await silent.WhenScriptsDoneAsync();
    }

    [Fact]
    public void AddBackendConnector_Resolves_ConnectorAndBothLogins()
    {
        var services = new ServiceCollection().AddLogging().Configure<ProxyOptions>(_ => { });

        using var provider = services.AddBackendConnector().BuildServiceProvider();

        Assert.NotNull(provider.GetRequiredService<IBackendConnector>());
        Assert.Equal(
            [MailProtocol.Imap, MailProtocol.Pop3],
            provider.GetServices<IBackendLogin>().Select(l => l.Protocol).Order());
    }
}
