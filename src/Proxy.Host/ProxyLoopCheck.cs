using System.Net;
using System.Net.NetworkInformation;
using Proxy.Core.Discovery;
using Proxy.Core.Listening;

namespace Proxy.Host;

/// <summary>
/// A backend endpoint that is one of the proxy's own listeners would make every
/// session dial the proxy again, each hop holding a connection until the time
/// budget runs out. Caught at start for addresses written as IP literals or
/// <c>localhost</c>; host names are not resolved here.
/// </summary>
internal static class ProxyLoopCheck
{
    public static IReadOnlyList<string> Find(TopologySnapshot topology, IReadOnlyList<MailListener> listeners)
    {
        var local = LocalAddresses();
        var errors = new List<string>();
        foreach (var server in topology.Servers.Values)
        {
            foreach (var (_, endpoints) in server.Endpoints)
            {
                foreach (var endpoint in endpoints)
                {
                    var address = ParseHost(endpoint.Host);
                    var listener = address is null ? null : listeners.FirstOrDefault(l => l.EndPoint.Port == endpoint.Port && Covers(l.EndPoint.Address, address, local));
                    if (listener is not null)
                    {
                        errors.Add($"Topology:Servers[{server.Name}]: endpoint {endpoint} is this proxy's own listener {listener.ConfigurationKey} ({listener}); sessions would loop through the proxy");
                    }
                }
            }
        }

        return errors;
    }

    private static IPAddress? ParseHost(string host) =>
        host.Equals("localhost", StringComparison.OrdinalIgnoreCase) ? IPAddress.Loopback
        : IPAddress.TryParse(host.Trim('[', ']'), out var address) ? address
        : null;

    /// <summary>Whether a listener bound to <paramref name="bound"/> accepts connections to <paramref name="target"/>.</summary>
    private static bool Covers(IPAddress bound, IPAddress target, HashSet<IPAddress> local)
    {
        if (bound.Equals(IPAddress.Any) || bound.Equals(IPAddress.IPv6Any))
        {
            return IPAddress.IsLoopback(target) || local.Contains(target);
        }

        return bound.Equals(target);
    }

    private static HashSet<IPAddress> LocalAddresses()
    {
        try
        {
            return NetworkInterface.GetAllNetworkInterfaces()
                .SelectMany(n => n.GetIPProperties().UnicastAddresses)
                .Select(a => a.Address)
                .ToHashSet();
        }
        catch (NetworkInformationException)
        {
            return [];
        }
    }
}
