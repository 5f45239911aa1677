using Proxy.Core.Configuration;

namespace Proxy.Core.Backends.Drain;

/// <summary>
/// Which backends an operator is draining for maintenance: no new session goes
/// there, existing ones carry on. Runtime state, not configuration: it is empty
/// after a restart and is changed only through the admin API.
/// </summary>
public interface IDrainState
{
    /// <summary>True when new sessions must not use this endpoint of this server (the whole server, or just the endpoint, is draining).</summary>
    bool IsDraining(string server, MailProtocol protocol, BackendMethod method);
}
