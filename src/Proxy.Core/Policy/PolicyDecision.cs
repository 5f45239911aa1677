namespace Proxy.Core.Policy;

/// <summary>What policy (step 4) decided for a located mailbox.</summary>
public enum PolicyDecision
{
    /// <summary>The session may go on to the backend.</summary>
    Allowed,
    /// <summary>The mailbox server is in another site and the protocol's AllowCrossSiteSessions is false (event 1008).</summary>
    CrossSiteDenied,
    /// <summary>A privileged or well-known account on a protocol whose DenyPrivilegedAccounts is true.</summary>
    PrivilegedAccountDenied,
}
