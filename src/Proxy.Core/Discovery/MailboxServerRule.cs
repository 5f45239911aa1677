using Proxy.Core.Configuration;
using Proxy.Core.Directory;

namespace Proxy.Core.Discovery;

/// <summary>Exchange 2013 and later (or any server hosting mailboxes itself): dial the mailbox server.</summary>
internal sealed class MailboxServerRule : IDiscoveryRule
{
    public ServerVersion Version => ServerVersion.Exchange2013;

    public IReadOnlyList<BackendServer> FindServers(BackendServer mailboxServer, MailboxUser user, TopologySnapshot topology) =>
        [mailboxServer];
}
