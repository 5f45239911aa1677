using Proxy.Core.Backends.Health;
using Proxy.Core.Discovery;
using Proxy.Core.Listening;
using Proxy.Core.Reload;

namespace Proxy.Core.Diagnostics.Status;

/// <summary>
/// The one set of rules that turns listener states, endpoint health and the last reload into
/// a status, so <c>/health</c>, the status API and the dashboard can never disagree
/// (docs/dashboard.md, "Status rules").
/// </summary>
public static class HealthRollup
{
    /// <param name="listeners">Every configured mail listener and whether it is bound now.</param>
    /// <param name="topology">Names the site of each server; servers without one go under the site <c>""</c>.</param>
    /// <param name="endpoints">The endpoints health follows (<see cref="IBackendHealth.Snapshot"/>).</param>
    /// <param name="lastReload">The last configuration reload; null when none ran yet.</param>
    public static HealthSummary Evaluate(
        IEnumerable<KeyValuePair<MailListener, bool>> listeners,
        TopologySnapshot topology,
        IReadOnlyList<EndpointHealthSnapshot> endpoints,
        LastReload? lastReload)
    {
        var reasons = new List<string>();
        var unhealthy = false;
        foreach (var (listener, bound) in listeners)
        {
            if (!bound)
            {
                unhealthy = true;
                reasons.Add($"listener {listener} is not bound");
            }
        }

        var healthy = endpoints.Count(e => e.State == HealthState.Healthy);
        var failing = endpoints.Count(e => e.State == HealthState.Unhealthy);
        if (healthy == 0 && failing > 0)
        {
            unhealthy = true;
            reasons.Add($"no backend endpoint is healthy ({failing} unhealthy)");
        }

        var sites = new List<SiteHealth>();
        var bySite = endpoints.ToLookup(e => SiteOf(topology, e.Server), StringComparer.OrdinalIgnoreCase);
        foreach (var site in SiteNames(topology))
        {
            var siteEndpoints = bySite[site].ToList();
            var degradedProtocols = siteEndpoints
                .GroupBy(e => e.Protocol)
                .Where(g => g.All(e => e.State != HealthState.Healthy) && g.Any(e => e.State == HealthState.Unhealthy))
                .Select(g => ProxyMetrics.ProtocolName(g.Key))
                .Order(StringComparer.Ordinal)
                .ToList();
            var status = degradedProtocols.Count > 0 ? HealthLevel.Degraded
                : siteEndpoints.All(e => e.State == HealthState.Unknown) ? HealthLevel.Unknown
                : HealthLevel.Healthy;
            foreach (var protocol in degradedProtocols)
            {
                reasons.Add($"site {site}: no healthy {protocol} endpoint");
            }

            sites.Add(new SiteHealth(site, status, siteEndpoints.Count(e => e.State == HealthState.Healthy), siteEndpoints.Count));
        }

        var reloadRefused = lastReload is { Report.Succeeded: false };
        if (reloadRefused)
        {
            reasons.Add($"the last configuration reload was refused ({string.Join("; ", lastReload!.Report.Errors)}); the proxy runs on its last good configuration");
        }

        var overall = unhealthy ? HealthLevel.Unhealthy
            : reloadRefused || sites.Any(s => s.Status == HealthLevel.Degraded) ? HealthLevel.Degraded
            : HealthLevel.Healthy;
        return new HealthSummary(overall, reasons, sites);
    }

    /// <summary>The site of a server; <c>""</c> when the topology gives it none (or no longer knows the server).</summary>
    public static string SiteOf(TopologySnapshot topology, string server) =>
        topology.Servers.TryGetValue(server, out var known) ? known.Site : "";

    /// <summary>The topology's sites and every site a server names, in name order.</summary>
    public static IReadOnlyList<string> SiteNames(TopologySnapshot topology) =>
        topology.Sites.Concat(topology.Servers.Values.Select(s => s.Site))
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .Order(StringComparer.OrdinalIgnoreCase)
            .ToList();
}
