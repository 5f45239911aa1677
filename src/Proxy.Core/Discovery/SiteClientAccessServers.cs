using Proxy.Core.Configuration;

namespace Proxy.Core.Discovery;

/// <summary>The Client Access servers of one version in one site, in the user's rendezvous order.</summary>
internal static class SiteClientAccessServers
{
    public static IReadOnlyList<BackendServer> For(ServerVersion version, string site, string userPrincipalName, TopologySnapshot topology) =>
        RendezvousHash.Order(
            topology.Servers.Values.Where(s =>
                s.Version == version
                && s.IsClientAccess
                && string.Equals(s.Site, site, StringComparison.OrdinalIgnoreCase)),
            userPrincipalName);
}
