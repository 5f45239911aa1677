using System.Net;
using Proxy.Core.Backends.Health;
using Proxy.Core.Configuration;
using Proxy.Core.Diagnostics.Status;
using Proxy.Core.Discovery;
using Proxy.Core.Listening;
using Proxy.Core.Reload;

namespace Proxy.Core.Tests.Diagnostics.Status;

public sealed class HealthRollupTests
{
    private static readonly MailListener Imap = new(MailProtocol.Imap, new IPEndPoint(IPAddress.Loopback, 143), false, "Proxy:Imap:Listeners:0");
    private static readonly MailListener Pop3s = new(MailProtocol.Pop3, new IPEndPoint(IPAddress.Loopback, 995), true, "Proxy:Pop3:Listeners:0");
    private static readonly TopologySnapshot Topology = TopologyOf(("HQ-1", "HQ"), ("HQ-2", "HQ"), ("BR-1", "Branch"));

    [Fact]
    public void Evaluate_AllHealthyAndBound_HealthyWithoutReasons()
    {
        var summary = Evaluate(Bound, [E("HQ-1", MailProtocol.Imap, HealthState.Healthy), E("BR-1", MailProtocol.Imap, HealthState.Healthy)]);

        Assert.Equal(HealthLevel.Healthy, summary.Status);
        Assert.Empty(summary.Reasons);
        Assert.Equal([("Branch", HealthLevel.Healthy, 1, 1), ("HQ", HealthLevel.Healthy, 1, 1)], Sites(summary));
    }

    [Fact]
    public void Evaluate_EverythingUnknown_HealthySitesUnknown()
    {
        var summary = Evaluate(Bound, [E("HQ-1", MailProtocol.Imap, HealthState.Unknown), E("BR-1", MailProtocol.Pop3, HealthState.Unknown)]);

        Assert.Equal(HealthLevel.Healthy, summary.Status);
        Assert.All(summary.Sites, s => Assert.Equal(HealthLevel.Unknown, s.Status));
    }

    [Fact]
    public void Evaluate_SiteWithOneProtocolAllUnhealthy_SiteAndOverallDegraded()
    {
        var summary = Evaluate(Bound,
        [
            E("HQ-1", MailProtocol.Imap, HealthState.Healthy),
            E("BR-1", MailProtocol.Imap, HealthState.Healthy),
            E("BR-1", MailProtocol.Pop3, HealthState.Unhealthy),
            E("BR-1", MailProtocol.Pop3, HealthState.Unknown, port: 110),
        ]);

        Assert.Equal(HealthLevel.Degraded, summary.Status);
        Assert.Equal(["site Branch: no healthy pop3 endpoint"], summary.Reasons);
        Assert.Equal([("Branch", HealthLevel.Degraded, 1, 3), ("HQ", HealthLevel.Healthy, 1, 1)], Sites(summary));
    }

    [Fact]
    public void Evaluate_OneOfTwoServersOfASiteDown_SiteStillHealthy()
    {
        var summary = Evaluate(Bound,
        [
            E("HQ-1", MailProtocol.Imap, HealthState.Unhealthy),
            E("HQ-2", MailProtocol.Imap, HealthState.Healthy),
        ]);

        Assert.Equal(HealthLevel.Healthy, summary.Status);
        Assert.Equal(HealthLevel.Healthy, summary.Sites.Single(s => s.Name == "HQ").Status);
    }

    [Fact]
    public void Evaluate_UnknownAndUnhealthyOnlyInASite_Degraded()
    {
        var summary = Evaluate(Bound,
        [
            E("HQ-1", MailProtocol.Imap, HealthState.Healthy),
            E("BR-1", MailProtocol.Imap, HealthState.Unknown),
            E("BR-1", MailProtocol.Imap, HealthState.Unhealthy, port: 143),
        ]);

        Assert.Equal(HealthLevel.Degraded, summary.Sites.Single(s => s.Name == "Branch").Status);
    }

    [Fact]
    public void Evaluate_NoEndpointHealthyAndOneUnhealthy_Unhealthy()
    {
        var summary = Evaluate(Bound, [E("HQ-1", MailProtocol.Imap, HealthState.Unhealthy), E("BR-1", MailProtocol.Imap, HealthState.Unknown)]);

        Assert.Equal(HealthLevel.Unhealthy, summary.Status);
        Assert.Equal(["no backend endpoint is healthy (1 unhealthy)", "site HQ: no healthy imap endpoint"], summary.Reasons);
    }

    [Fact]
    public void Evaluate_ListenerNotBound_UnhealthyNamingIt()
    {
        var summary = Evaluate([KeyValuePair.Create(Imap, true), KeyValuePair.Create(Pop3s, false)], [E("HQ-1", MailProtocol.Imap, HealthState.Healthy)]);

        Assert.Equal(HealthLevel.Unhealthy, summary.Status);
        Assert.Equal(["listener Pop3 127.0.0.1:995 (TLS) is not bound"], summary.Reasons);
    }

    [Fact]
    public void Evaluate_LastReloadRefused_DegradedWithItsErrors()
    {
        var refused = new LastReload(DateTimeOffset.UnixEpoch, new ReloadReport(ReloadTrigger.Signal, [], ["topology"], ["Topology:Sites: required"], []));

        var summary = Evaluate(Bound, [E("HQ-1", MailProtocol.Imap, HealthState.Healthy)], refused);

        Assert.Equal(HealthLevel.Degraded, summary.Status);
        Assert.Equal(["the last configuration reload was refused (Topology:Sites: required); the proxy runs on its last good configuration"], summary.Reasons);
    }

    [Fact]
    public void Evaluate_LastReloadApplied_Healthy()
    {
        var applied = new LastReload(DateTimeOffset.UnixEpoch, new ReloadReport(ReloadTrigger.Signal, ["topology"], [], [], []));

        Assert.Equal(HealthLevel.Healthy, Evaluate(Bound, [E("HQ-1", MailProtocol.Imap, HealthState.Healthy)], applied).Status);
    }

    [Fact]
    public void Evaluate_ServerWithoutSite_UnderTheEmptySite()
    {
        var topology = TopologyOf(("X-1", ""), ("HQ-1", "HQ"));

        var summary = HealthRollup.Evaluate(Bound, topology, [E("X-1", MailProtocol.Imap, HealthState.Healthy)], null);

        Assert.Equal(["", "HQ"], summary.Sites.Select(s => s.Name));
        Assert.Equal(1, summary.Sites[0].HealthyEndpoints);
    }

    private static IReadOnlyList<KeyValuePair<MailListener, bool>> Bound => [KeyValuePair.Create(Imap, true), KeyValuePair.Create(Pop3s, true)];

    private static HealthSummary Evaluate(IReadOnlyList<KeyValuePair<MailListener, bool>> listeners, IReadOnlyList<EndpointHealthSnapshot> endpoints, LastReload? reload = null) =>
        HealthRollup.Evaluate(listeners, Topology, endpoints, reload);

    private static List<(string, HealthLevel, int, int)> Sites(HealthSummary summary) =>
        [.. summary.Sites.Select(s => (s.Name, s.Status, s.HealthyEndpoints, s.Endpoints))];

    private static EndpointHealthSnapshot E(string server, MailProtocol protocol, HealthState state, int port = 993) =>
        EndpointHealthSnapshot.Unknown(new EndpointKey(server, protocol, new BackendEndpoint("10.0.0.1", port, BackendMethod.Ssl))) with { State = state };

    private static TopologySnapshot TopologyOf(params (string Name, string Site)[] servers) => new(
        "HQ",
        [.. servers.Select(s => s.Site).Where(s => s.Length > 0).Distinct()],
        servers.ToDictionary(
            s => s.Name,
            s => new BackendServer(s.Name, "10.0.0.1", s.Site, ServerVersion.Exchange2013, true, true, new Dictionary<MailProtocol, IReadOnlyList<BackendEndpoint>>(), new BackendTlsOptions()),
            StringComparer.OrdinalIgnoreCase),
        new Dictionary<string, MailboxDatabase>());
}
