namespace Proxy.Host.Admin;

// The admin API's JSON bodies (camelCase on the wire), shared by the endpoints and the CLI verb
// so the two cannot drift apart. docs/admin.md shows each one.

/// <summary><c>GET /admin/sessions</c>.</summary>
internal sealed record SessionList(int Count, IReadOnlyList<SessionInfo> Sessions);

/// <param name="State"><c>pre-auth</c>, <c>logging-in</c> or <c>relaying</c>.</param>
/// <param name="Closing">Why the proxy is ending it (<c>shutdown</c>, <c>kick</c>, <c>drain</c>, <c>admin_close</c>); null when nobody asked.</param>
/// <param name="User">The UPN, once logged in at the backend.</param>
internal sealed record SessionInfo(
    string Id,
    string Protocol,
    string? Client,
    string? Listener,
    string State,
    string? Closing,
    string? User,
    BackendInfo? Backend,
    DateTimeOffset StartedAt,
    long BytesClientToBackend,
    long BytesBackendToClient);

/// <param name="Endpoint"><c>host:port:Method</c> as in the logs.</param>
/// <param name="Method"><c>ssl</c>, <c>starttls</c> or <c>plain</c>.</param>
internal sealed record BackendInfo(string Server, string Endpoint, string Method);

/// <summary><c>GET /admin/servers</c>.</summary>
internal sealed record ServerList(IReadOnlyList<ServerInfo> Servers);

/// <param name="Draining">The whole server is draining.</param>
/// <param name="Sessions">Sessions relayed to the server now.</param>
internal sealed record ServerInfo(string Name, string Site, string Version, bool Draining, int Sessions, IReadOnlyList<EndpointInfo> Endpoints);

/// <param name="Draining">No new sessions go here: the endpoint or its whole server is draining.</param>
internal sealed record EndpointInfo(string Protocol, string Method, string Host, int Port, bool Draining, int Sessions);

/// <summary>The answer to drain and undrain.</summary>
/// <param name="Endpoint"><c>imap/ssl</c> etc., or null for the whole server.</param>
/// <param name="Draining">Whether what was named is draining now (an endpoint stays draining while its whole server is).</param>
/// <param name="ClosedSessions">Sessions asked to close (force drain); 0 otherwise.</param>
internal sealed record DrainResponse(string Server, string? Endpoint, bool Draining, int ClosedSessions);

/// <summary><c>POST /admin/users/{upn}/kick</c>.</summary>
internal sealed record KickResponse(string User, int ClosedSessions);

/// <summary><c>POST /admin/sessions/{id}/close</c>.</summary>
internal sealed record CloseResponse(string Id, bool Closing);

/// <summary>Every 4xx answer.</summary>
internal sealed record ErrorResponse(string Error);
