using Microsoft.Extensions.Logging;
using Proxy.Core.Backends;
using Proxy.Core.Backends.Connect;
using Proxy.Core.Backends.Health;
using Proxy.Core.Backends.Login;
using Proxy.Core.Configuration;
using Proxy.Core.Discovery;
using Proxy.Core.Tests.Backends.Fakes;

namespace Proxy.Core.Tests.Backends.Health;

/// <summary>
/// The connector with health: real attempts feed it (passive health), healthy servers go
/// first, open breakers are skipped, and when nothing else is left they are tried anyway.
/// </summary>
public sealed class ConnectorHealthTests : IAsyncDisposable
{
    private readonly FakeBackend _a = FakeBackend.Start(new FakeImapScript().RunAsync);
    private readonly FakeBackend _b = FakeBackend.Start(new FakeImapScript().RunAsync);
    private readonly BackendServer _serverA;
    private readonly BackendServer _serverB;
    private readonly HealthHarness _health;
    private readonly ListLogger<BackendConnector> _logger = new();
    private readonly BackendConnector _connector;

    public ConnectorHealthTests()
    {
        _serverA = HealthHarness.Server("CAS2007A", _a.Endpoint(BackendMethod.Plain));
        _serverB = HealthHarness.Server("CAS2007B", _b.Endpoint(BackendMethod.Plain));
        _health = new HealthHarness(_serverA, _serverB);
        _health.Options.Backends = new BackendOptions
        {
            AllowPlaintext = true,
            AttemptTimeout = TimeSpan.FromSeconds(3),
            TotalTimeout = TimeSpan.FromSeconds(6),
            ConnectTimeout = TimeSpan.FromSeconds(1),
        };
        _connector = new BackendConnector(
            new HealthHarness.OptionsMonitor(_health.Options), _logger, TimeProvider.System, [new ImapBackendLogin()], health: _health.Monitor);
    }

    private EndpointKey KeyA => new(_serverA.Name, MailProtocol.Imap, _a.Endpoint(BackendMethod.Plain));

    private EndpointKey KeyB => new(_serverB.Name, MailProtocol.Imap, _b.Endpoint(BackendMethod.Plain));

    public async ValueTask DisposeAsync()
    {
        await _a.DisposeAsync();
        await _b.DisposeAsync();
    }

    [Fact]
    public async Task Connect_SecondServerHealthyFirstUnknown_HealthyOneDialledFirst()
    {
        _health.ProbeSucceeds(KeyB);

        await using var session = await ConnectAsync(_serverA, _serverB);

        Assert.Equal("CAS2007B", session.Server.Name);
        Assert.Equal(0, _a.Connections);
    }

    [Fact]
    public async Task Connect_FirstServerBreakerOpen_RankedLast()
    {
        _health.OpenBreaker(KeyA);

        await using var session = await ConnectAsync(_serverA, _serverB);

        Assert.Equal("CAS2007B", session.Server.Name);
        Assert.Equal(0, _a.Connections);
    }

    [Fact]
    public async Task Connect_BreakerOpenAndTheOtherServerFails_HeldBackNotDialled()
    {
        _health.OpenBreaker(KeyA);
        var dead = HealthHarness.Server("CAS2007C", new BackendEndpoint("127.0.0.1", FakeBackend.ClosedPort(), BackendMethod.Plain));

        var result = await _connector.ConnectAsync(MailProtocol.Imap, Plan(_serverA, dead), ConnectorHarness.Alice, CancellationToken.None);

        Assert.Equal(BackendFailureKind.Connect, result.Failure);
        Assert.Equal(0, _a.Connections);
        var heldBack = Assert.Single(_logger.WithEvent("BackendAttemptHeldBack"));
        Assert.Equal(LogLevel.Debug, heldBack.Level);
        Assert.Contains("CAS2007A", heldBack.Message);
        Assert.Empty(_logger.WithEvent("BackendAllBreakersOpen"));
    }

    [Fact]
    public async Task Connect_EveryBreakerOpen_TriedAnywayAndSuccessClosesTheBreaker()
    {
        _health.OpenBreaker(KeyA);
        _health.OpenBreaker(KeyB);

        await using var session = await ConnectAsync(_serverA, _serverB);

        // Both were held back, then tried in order: the first one works.
        Assert.Equal("CAS2007A", session.Server.Name);
        Assert.Equal(1, _a.Connections);
        Assert.Equal(LogLevel.Warning, Assert.Single(_logger.WithEvent("BackendAllBreakersOpen")).Level);
        Assert.Equal((HealthState.Healthy, BreakerState.Closed), (_health.Monitor.Get(KeyA).State, _health.Monitor.Get(KeyA).Breaker));
        Assert.Equal(BreakerState.Open, _health.Monitor.Get(KeyB).Breaker);
    }

    [Fact]
    public async Task Connect_BreakOver_OneSessionTestsTheEndpoint()
    {
        _health.OpenBreaker(KeyA);
        _health.Clock.Advance(_health.Health.BreakDuration);

        await using var session = await ConnectAsync(_serverA);

        Assert.Equal("CAS2007A", session.Server.Name);
        Assert.Equal(BreakerState.Closed, _health.Monitor.Get(KeyA).Breaker);
        Assert.Empty(_logger.WithEvent("BackendAllBreakersOpen"));
    }

    [Fact]
    public async Task Connect_DeadServerAttempts_FeedHealthAndOpenItsBreaker()
    {
        var dead = new BackendEndpoint("127.0.0.1", FakeBackend.ClosedPort(), BackendMethod.Plain);
        var deadServer = HealthHarness.Server("CAS2007C", dead);
        var deadKey = new EndpointKey(deadServer.Name, MailProtocol.Imap, dead);

        for (var i = 0; i < 3; i++)
        {
            var result = await _connector.ConnectAsync(MailProtocol.Imap, Plan(deadServer), ConnectorHarness.Alice, CancellationToken.None);
            Assert.Equal(BackendFailureKind.Connect, result.Failure);
        }

        var health = _health.Monitor.Get(deadKey);
        Assert.Equal((HealthState.Unhealthy, BreakerState.Open, 3), (health.State, health.Breaker, health.ConsecutiveFailures));
        Assert.Equal((BackendFailureKind.Connect, HealthSource.Session), (health.LastError!.Kind, health.LastError.Source));
        Assert.EndsWith("(state=connect)", health.LastError.Message);
        Assert.Empty(_logger.WithEvent("BackendAllBreakersOpen"));
    }

    [Fact]
    public async Task Connect_HealthySiblingAfterDeadServerSeen_GoesThereFirst()
    {
        var dead = HealthHarness.Server("CAS2007C", new BackendEndpoint("127.0.0.1", FakeBackend.ClosedPort(), BackendMethod.Plain));
        await using (await ConnectAsync(dead, _serverB))
        {
        }

        await using var second = await ConnectAsync(dead, _serverB);

        Assert.Equal("CAS2007B", second.Server.Name);
        // Only the first login paid for the dead server.
        Assert.Single(_logger.WithEvent("BackendAttemptFailed"));
    }

    [Fact]
    public async Task Connect_PasswordRejected_EndpointStaysHealthy()
    {
        await using var rejecting = FakeBackend.Start(new FakeImapScript { LoginReply = "NO [AUTHENTICATIONFAILED] Authentication failed." }.RunAsync);
        var server = HealthHarness.Server("CAS2007R", rejecting.Endpoint(BackendMethod.Plain));

        for (var i = 0; i < 4; i++)
        {
            var result = await _connector.ConnectAsync(MailProtocol.Imap, Plan(server), ConnectorHarness.Alice, CancellationToken.None);
            Assert.Equal(BackendFailureKind.AuthRejected, result.Failure);
        }

        var health = _health.Monitor.Get(new EndpointKey(server.Name, MailProtocol.Imap, rejecting.Endpoint(BackendMethod.Plain)));
        Assert.Equal((HealthState.Healthy, BreakerState.Closed, 0), (health.State, health.Breaker, health.ConsecutiveFailures));
    }

    [Fact]
    public async Task Connect_HungBackendTimedOut_TimeoutFeedsHealthAndNextServerUsed()
    {
        _health.Options.Backends.AttemptTimeout = TimeSpan.FromMilliseconds(300);
        await using var hung = FakeBackend.Start(client => client.ReadToEndAsync());
        var hungServer = HealthHarness.Server("CAS2007H", hung.Endpoint(BackendMethod.Plain));

        await using var session = await ConnectAsync(hungServer, _serverB);

        Assert.Equal("CAS2007B", session.Server.Name);
        var error = _health.Monitor.Get(new EndpointKey(hungServer.Name, MailProtocol.Imap, hung.Endpoint(BackendMethod.Plain))).LastError!;
        Assert.Equal((BackendFailureKind.BadGreeting, HealthSource.Session), (error.Kind, error.Source));
    }

    private async Task<BackendSession> ConnectAsync(params BackendServer[] servers)
    {
        var result = await _connector.ConnectAsync(MailProtocol.Imap, Plan(servers), ConnectorHarness.Alice, CancellationToken.None);
        return result.Session ?? throw new Xunit.Sdk.XunitException($"no session: {result.Failure}\n{_logger.AllText}");
    }

    private static List<ConnectionAttempt> Plan(params BackendServer[] servers) =>
        servers.SelectMany(s => s.Endpoints[MailProtocol.Imap].Select(e => new ConnectionAttempt(s, e))).ToList();
}
