namespace Proxy.Core.Configuration;

/// <summary>
/// The backend generation. It decides which discovery rule finds the endpoints
/// for a mailbox (see <c>Discovery/</c>): 2013+ dials the mailbox server itself,
/// 2010 uses the InternalConnectionSettings of the site's 2010 CAS servers,
/// 2007 spreads users over the site's 2007 CAS servers.
/// </summary>
public enum ServerVersion
{
    Exchange2007,
    Exchange2010,
    /// <summary>Exchange 2013 or later, or any other backend that hosts mailboxes itself.</summary>
    Exchange2013,
}
