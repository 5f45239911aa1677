using Proxy.Core.Configuration;
using Proxy.Core.Directory;

namespace Proxy.Core.Discovery;

/// <summary>
/// Exchange 2007 mailbox: every 2007 CAS in the mailbox's site, in the user's
/// rendezvous order, so a user's sessions land on one CAS (as the 2013 CAS does
/// for HTTP) and the others follow as fall-over.
/// </summary>
internal sealed class Exchange2007ClientAccessRule : IDiscoveryRule
{
    public ServerVersion Version => ServerVersion.Exchange2007;

    public IReadOnlyList<BackendServer> FindServers(BackendServer mailboxServer, MailboxUser user, TopologySnapshot topology) =>
        SiteClientAccessServers.For(ServerVersion.Exchange2007, mailboxServer.Site, user.UserPrincipalName, topology);
}
