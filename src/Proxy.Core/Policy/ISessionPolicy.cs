using Proxy.Core.Configuration;
using Proxy.Core.Directory;
using Proxy.Core.Discovery;

namespace Proxy.Core.Policy;

/// <summary>Step 4: may this user's session go to this mailbox location? Denials are logged by the policy itself.</summary>
public interface ISessionPolicy
{
    /// <param name="localSite">The proxy's own site (<see cref="TopologySnapshot.LocalSite"/>).</param>
    /// <param name="clientAddress">For the log only; null when unknown.</param>
    PolicyDecision Evaluate(MailProtocol protocol, MailboxUser user, MailboxLocation location, string localSite, string? clientAddress);
}
