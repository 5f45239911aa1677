using Proxy.Core.Backends.Health;
using Proxy.Core.Configuration;
using Proxy.Core.Discovery;
using static Proxy.Core.Tests.Backends.Health.HealthHarness;

namespace Proxy.Core.Tests.Backends.Health;

/// <summary>Health reorders servers (healthy, then unknown, then the rest) and never the methods of one server.</summary>
public sealed class HealthRoutingTests
{
    private static readonly BackendServer A = Server("CAS2007A", Ssl(1001), StartTls(1002));
    private static readonly BackendServer B = Server("CAS2007B", Ssl(2001), StartTls(2002));
    private static readonly BackendServer C = Server("CAS2007C", Ssl(3001), StartTls(3002));

    private readonly HealthHarness _harness = new(A, B, C);

    [Fact]
    public void Order_NothingKnown_DiscoveryOrderKept()
    {
        Assert.Equal(Plan(A, B, C), Order(A, B, C));
    }

    [Fact]
    public void Order_LaterServerHealthy_MovesFirstWithItsMethodOrder()
    {
        _harness.ProbeSucceeds(Key(C, StartTls(3002)));

        Assert.Equal(Plan(C, A, B), Order(A, B, C));
    }

    [Fact]
    public void Order_FirstServerUnhealthy_GoesLastOthersKeepTheirOrder()
    {
        _harness.ProbeFails(Key(A, Ssl(1001)), 2);
        _harness.ProbeFails(Key(A, StartTls(1002)), 2);

        Assert.Equal(Plan(B, C, A), Order(A, B, C));
    }

    [Fact]
    public void Order_SeveralHealthy_StableAmongThem()
    {
        _harness.ProbeSucceeds(Key(C, Ssl(3001)));
        _harness.ProbeSucceeds(Key(B, Ssl(2001)));

        Assert.Equal(Plan(B, C, A), Order(A, B, C));
    }

    [Fact]
    public void Order_ServerWithOneHealthyAndOneDeadMethod_RanksHealthyAndKeepsExchangeOrder()
    {
        _harness.ProbeFails(Key(B, Ssl(2001)), 2);
        _harness.ProbeSucceeds(Key(B, StartTls(2002)));

        // The dead SSL endpoint is still tried first until its breaker opens; the walk skips it then.
        Assert.Equal(Plan(B, A, C), Order(A, B, C));
    }

    [Fact]
    public void Order_HealthyButBreakerOpen_RanksLast()
    {
        _harness.Health.UnhealthyThreshold = 10;
        _harness.ProbeSucceeds(Key(A, Ssl(1001)));
        _harness.OpenBreaker(Key(A, Ssl(1001)));
        _harness.ProbeSucceeds(Key(B, Ssl(2001)));

        Assert.Equal(HealthState.Healthy, _harness.Monitor.Get(Key(A, Ssl(1001))).State);
        Assert.Equal(Plan(B, A, C), Order(A, B, C));
    }

    private IReadOnlyList<ConnectionAttempt> Order(params BackendServer[] servers) =>
        HealthRouting.Order(MailProtocol.Imap, Plan(servers), _harness.Monitor);

    /// <summary>What the planner makes of the servers for an encrypted client: SSL then STARTTLS, server by server.</summary>
    private static List<ConnectionAttempt> Plan(params BackendServer[] servers) =>
        servers.SelectMany(s => s.Endpoints[MailProtocol.Imap].Select(e => new ConnectionAttempt(s, e))).ToList();
}
