using Proxy.Core.Backends.Connect;
using Proxy.Core.Configuration;
using Proxy.Core.Discovery;

namespace Proxy.Core.Tests.Backends.Connect;

public sealed class ConnectionPlannerTests
{
    private static readonly BackendServer Cas1 = Server("CAS1");
    private static readonly BackendServer Cas2 = Server("CAS2");

    [Theory]
    [InlineData(true, true, new[] { BackendMethod.Ssl, BackendMethod.StartTls, BackendMethod.Plain })]
    [InlineData(false, true, new[] { BackendMethod.Plain, BackendMethod.Ssl, BackendMethod.StartTls })]
    [InlineData(true, false, new[] { BackendMethod.Ssl, BackendMethod.StartTls })]
    [InlineData(false, false, new[] { BackendMethod.Ssl, BackendMethod.StartTls })]
    public void MethodOrder_ClientSecurityAndPolicy_ExchangeOrder(bool clientEncrypted, bool allowPlaintext, BackendMethod[] expected)
    {
        Assert.Equal(expected, ConnectionPlanner.MethodOrder(clientEncrypted, allowPlaintext));
    }

    [Fact]
    public void Plan_EncryptedClient_SslThenStartTlsThenPlain()
    {
        var plan = ConnectionPlanner.Plan([Candidate(Cas1, "cas1")], clientEncrypted: true, allowPlaintext: true);

        Assert.Equal(["cas1:993:Ssl", "cas1:143:StartTls", "cas1:143:Plain"], plan.Select(a => a.Endpoint.ToString()));
    }

    [Fact]
    public void Plan_PlaintextClient_PlainThenSslThenStartTls()
    {
        var plan = ConnectionPlanner.Plan([Candidate(Cas1, "cas1")], clientEncrypted: false, allowPlaintext: true);

        Assert.Equal([BackendMethod.Plain, BackendMethod.Ssl, BackendMethod.StartTls], plan.Select(a => a.Endpoint.Method));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Plan_PlaintextForbidden_NoPlainAttempt(bool clientEncrypted)
    {
        var plan = ConnectionPlanner.Plan([Candidate(Cas1, "cas1")], clientEncrypted, allowPlaintext: false);

        Assert.Equal([BackendMethod.Ssl, BackendMethod.StartTls], plan.Select(a => a.Endpoint.Method));
    }

    [Fact]
    public void Plan_OnlyPlainOfferedAndForbidden_Empty()
    {
        var plainOnly = new BackendCandidate(Cas1, [new BackendEndpoint("cas1", 143, BackendMethod.Plain)]);

        Assert.Empty(ConnectionPlanner.Plan([plainOnly], clientEncrypted: true, allowPlaintext: false));
    }

    [Fact]
    public void Plan_TwoCandidates_EveryAttemptOfTheFirstBeforeTheSecond()
    {
        var plan = ConnectionPlanner.Plan([Candidate(Cas2, "cas2"), Candidate(Cas1, "cas1")], clientEncrypted: true, allowPlaintext: true);

        Assert.Equal(
            ["cas2:993:Ssl", "cas2:143:StartTls", "cas2:143:Plain", "cas1:993:Ssl", "cas1:143:StartTls", "cas1:143:Plain"],
            plan.Select(a => a.Endpoint.ToString()));
        Assert.Equal([Cas2, Cas2, Cas2, Cas1, Cas1, Cas1], plan.Select(a => a.Server));
    }

    [Fact]
    public void Plan_SeveralEndpointsOfOneMethod_AllInTheirOrderBeforeTheNextMethod()
    {
        var candidate = new BackendCandidate(Cas1,
        [
            new BackendEndpoint("a", 143, BackendMethod.StartTls),
            new BackendEndpoint("a", 993, BackendMethod.Ssl),
            new BackendEndpoint("b", 143, BackendMethod.StartTls),
            new BackendEndpoint("b", 993, BackendMethod.Ssl),
        ]);

        var plan = ConnectionPlanner.Plan([candidate], clientEncrypted: true, allowPlaintext: false);

        Assert.Equal(["a:993:Ssl", "b:993:Ssl", "a:143:StartTls", "b:143:StartTls"], plan.Select(a => a.Endpoint.ToString()));
    }

    [Fact]
    public void Plan_TwoCandidatesNameTheSameEndpoint_DialledOnce()
    {
        // Two 2010 CAS whose InternalConnectionSettings both name the load balancer.
        var viaLoadBalancer1 = new BackendCandidate(Cas1, [new BackendEndpoint("imap.contoso.lab", 993, BackendMethod.Ssl)]);
        var viaLoadBalancer2 = new BackendCandidate(Cas2, [new BackendEndpoint("IMAP.contoso.lab", 993, BackendMethod.Ssl), new BackendEndpoint("cas2", 993, BackendMethod.Ssl)]);

        var plan = ConnectionPlanner.Plan([viaLoadBalancer1, viaLoadBalancer2], clientEncrypted: true, allowPlaintext: false);

        Assert.Equal(["imap.contoso.lab:993:Ssl", "cas2:993:Ssl"], plan.Select(a => a.Endpoint.ToString()));
    }

    [Fact]
    public void Plan_NoCandidates_Empty()
    {
        Assert.Empty(ConnectionPlanner.Plan([], clientEncrypted: true, allowPlaintext: true));
    }

    private static BackendCandidate Candidate(BackendServer server, string host) => new(server,
    [
        new BackendEndpoint(host, 993, BackendMethod.Ssl),
        new BackendEndpoint(host, 143, BackendMethod.StartTls),
        new BackendEndpoint(host, 143, BackendMethod.Plain),
    ]);

    private static BackendServer Server(string name) => new(
        name, name.ToLowerInvariant(), "HQ", ServerVersion.Exchange2013, true, true,
        new Dictionary<MailProtocol, IReadOnlyList<BackendEndpoint>>(), new BackendTlsOptions());
}
