using Proxy.Core.Configuration;
using Proxy.Core.Directory;

namespace Proxy.Core.Discovery;

/// <summary>
/// Exchange 2010 mailbox: every 2010 CAS in the mailbox server's site, dialled
/// through its InternalConnectionSettings (the builder puts those, or Exchange's
/// default, in the server's endpoints). Exchange picks among them freely; the
/// rendezvous order keeps a user on one CAS and spreads users over all of them.
/// </summary>
internal sealed class Exchange2010ClientAccessRule : IDiscoveryRule
{
    public ServerVersion Version => ServerVersion.Exchange2010;

    public IReadOnlyList<BackendServer> FindServers(BackendServer mailboxServer, MailboxUser user, TopologySnapshot topology) =>
        SiteClientAccessServers.For(ServerVersion.Exchange2010, mailboxServer.Site, user.UserPrincipalName, topology);
}
