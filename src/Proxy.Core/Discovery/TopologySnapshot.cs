using Proxy.Core.Configuration;

namespace Proxy.Core.Discovery;

/// <summary>
/// Immutable, validated view of the topology. Swapped whole on reload, so a
/// session that started with one snapshot keeps seeing it.
/// Built by <see cref="TopologyBuilder"/>.
/// </summary>
public sealed record TopologySnapshot(
    string LocalSite,
    IReadOnlyList<string> Sites,
    IReadOnlyDictionary<string, BackendServer> Servers,
    IReadOnlyDictionary<string, MailboxDatabase> Databases);

/// <summary>A backend server with everything discovery and the connector need.</summary>
public sealed record BackendServer(
    string Name,
    string Host,
    string Site,
    ServerVersion Version,
    bool IsMailbox,
    bool IsClientAccess,
    IReadOnlyDictionary<MailProtocol, IReadOnlyList<BackendEndpoint>> Endpoints,
    BackendTlsOptions Tls)
{
    /// <summary>Tell the server the real client's address before logging in (see <see cref="ServerOptions.ForwardClientAddress"/>).</summary>
    public bool ForwardClientAddress { get; init; }
}

/// <summary>One dialable endpoint of a server: where and how.</summary>
public sealed record BackendEndpoint(string Host, int Port, BackendMethod Method)
{
    public override string ToString() => $"{Host}:{Port}:{Method}";
}

/// <summary>A mailbox database and the server holding its active copy.</summary>
public sealed record MailboxDatabase(string Name, string ServerName);

/// <summary>A server that discovery chose, with the endpoints it offers for the session's protocol.</summary>
public sealed record BackendCandidate(BackendServer Server, IReadOnlyList<BackendEndpoint> Endpoints);

/// <summary>One planned attempt: a server and one of its endpoints, in the order they are tried.</summary>
public sealed record ConnectionAttempt(BackendServer Server, BackendEndpoint Endpoint);
