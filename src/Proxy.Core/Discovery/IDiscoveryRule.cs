using Proxy.Core.Configuration;
using Proxy.Core.Directory;

namespace Proxy.Core.Discovery;

/// <summary>
/// How the servers to dial are found for a mailbox on one server generation,
/// as the Exchange 2013 CAS does it. One rule per <see cref="ServerVersion"/>.
/// </summary>
internal interface IDiscoveryRule
{
    ServerVersion Version { get; }

    /// <summary>The servers to try for this user, best first. Endpoints are the locator's concern.</summary>
    IReadOnlyList<BackendServer> FindServers(BackendServer mailboxServer, MailboxUser user, TopologySnapshot topology);
}
