using Proxy.Core.Configuration;
using Proxy.Core.Directory;

namespace Proxy.Core.Discovery;

/// <summary>Step 3: finds where a user's mailbox lives and which servers to dial for it.</summary>
public interface IMailboxLocator
{
    /// <summary>
    /// The mailbox's database, server and site, with the candidates ordered by the
    /// discovery rule of the mailbox server's version. Null when the database or its
    /// server is not in <paramref name="topology"/> (logged as <c>MailboxNotLocated</c>).
    /// Candidates may be empty when no server offers an endpoint for the protocol.
    /// Cross-site candidates are not filtered here: policy decides on <see cref="MailboxLocation.Site"/>.
    /// </summary>
    MailboxLocation? Locate(MailboxUser user, MailProtocol protocol, TopologySnapshot topology);
}

/// <param name="Site">The mailbox server's site, compared by policy with the proxy's own.</param>
/// <param name="Candidates">Servers in the order to try them, each with its endpoints for the protocol.</param>
public sealed record MailboxLocation(
    MailboxDatabase Database,
    BackendServer MailboxServer,
    string Site,
    IReadOnlyList<BackendCandidate> Candidates);
