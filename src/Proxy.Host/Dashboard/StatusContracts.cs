namespace Proxy.Host.Dashboard;

// The JSON bodies of /api/v1/status, /health and /ready (camelCase on the wire). docs/dashboard.md
// describes every field and docs/api/status.schema.json is the status response's schema; the
// dashboard page (and operators' scripts) read exactly these names. Times are UTC DateTimes so they
// serialise with a "Z".

/// <summary><c>GET /api/v1/status</c>.</summary>
/// <param name="Schema">Bumped when a field changes meaning or disappears; new fields do not bump it.</param>
/// <param name="Status"><c>Healthy</c>, <c>Degraded</c> or <c>Unhealthy</c>.</param>
internal sealed record StatusResponse(
    int Schema,
    string Server,
    string Version,
    DateTime Now,
    DateTime StartedAt,
    string Status,
    bool Ready,
    IReadOnlyList<string> StatusReasons,
    IReadOnlyList<ListenerStatus> Listeners,
    IReadOnlyList<SiteStatus> Sites,
    TotalsStatus Totals,
    IReadOnlyList<RecentEventStatus> Recent,
    ConfigurationStatus Configuration);

/// <param name="Sessions">Sessions that came in on this listener and are open now, in any state.</param>
internal sealed record ListenerStatus(string Protocol, string Address, int Port, bool ImplicitTls, bool Bound, int Sessions);

/// <param name="Status"><c>Healthy</c>, <c>Degraded</c> or <c>Unknown</c>.</param>
/// <param name="Sessions">Sessions relayed to the site's servers now.</param>
internal sealed record SiteStatus(string Name, string Status, int Sessions, IReadOnlyList<ServerStatus> Servers);

/// <param name="Version"><c>2007</c>, <c>2010</c> or <c>2013</c>.</param>
/// <param name="Roles"><c>Mailbox</c> and/or <c>ClientAccess</c>.</param>
/// <param name="Draining">The whole server is draining (admin API).</param>
internal sealed record ServerStatus(string Name, string Version, IReadOnlyList<string> Roles, bool Draining, int Sessions, IReadOnlyList<EndpointStatus> Endpoints);

/// <param name="State"><c>Healthy</c>, <c>Unhealthy</c> or <c>Unknown</c>.</param>
/// <param name="Breaker"><c>Closed</c>, <c>Open</c> or <c>HalfOpen</c>.</param>
/// <param name="Method"><c>ssl</c>, <c>starttls</c> or <c>plain</c>.</param>
/// <param name="Draining">No new sessions go here: the endpoint or its whole server is draining.</param>
internal sealed record EndpointStatus(
    string Protocol,
    string Host,
    int Port,
    string Method,
    string State,
    string Breaker,
    DateTime? LastProbeAt,
    double? LatencyMs,
    DateTime? StateChangedAt,
    EndpointError? LastError,
    bool Draining,
    int Sessions);

/// <param name="Source"><c>probe</c> or <c>session</c>.</param>
/// <param name="Failure">The failure kind: <c>Connect</c>, <c>Timeout</c>, <c>Tls</c>, <c>BadGreeting</c>, <c>NoStartTls</c>, <c>Protocol</c>, <c>AuthRejected</c>, <c>AuthTempFail</c>, <c>NoEndpoints</c>.</param>
internal sealed record EndpointError(DateTime At, string Source, string Failure, string Message);

/// <param name="LoginsPerMinute">Every login outcome of the last minute together.</param>
/// <param name="LastMinute">Logins by outcome in the last minute (50 to 60 s: 10-second buckets); non-zero outcomes only.</param>
/// <param name="Last15Minutes">Logins by outcome in the last 15 minutes; non-zero outcomes only.</param>
internal sealed record TotalsStatus(
    int Sessions,
    IReadOnlyDictionary<string, int> SessionsByProtocol,
    IReadOnlyDictionary<string, int> SessionsByState,
    long LoginsPerMinute,
    IReadOnlyDictionary<string, long> LastMinute,
    IReadOnlyDictionary<string, long> Last15Minutes,
    SinceStartStatus SinceStart);

/// <param name="Sessions">Client sessions accepted.</param>
/// <param name="RefusedConnections">By reason: <c>max_connections</c>, <c>max_connections_per_ip</c>, <c>max_connections_per_user</c> (always all three).</param>
internal sealed record SinceStartStatus(long Sessions, IReadOnlyDictionary<string, long> Logins, IReadOnlyDictionary<string, long> RefusedConnections);

/// <param name="Kind"><c>refusal</c> or <c>error</c>.</param>
/// <param name="Level"><c>Information</c> (refusals only), <c>Warning</c>, <c>Error</c> or <c>Critical</c>.</param>
internal sealed record RecentEventStatus(
    DateTime At,
    string Kind,
    int EventId,
    string? Event,
    string Level,
    string? Protocol,
    string? User,
    string? Client,
    string? Server,
    string Message);

/// <param name="Directory"><c>file</c> (the embedded file directory) or <c>custom</c>.</param>
/// <param name="LastReload">Null until a reload has run.</param>
internal sealed record ConfigurationStatus(
    ProtocolConfiguration Imap,
    ProtocolConfiguration Pop3,
    BackendsConfiguration Backends,
    HealthConfiguration Health,
    BruteForceConfiguration BruteForce,
    string Directory,
    LastReloadStatus? LastReload);

/// <param name="LoginType"><c>PlainTextLogin</c>, <c>PlainTextAuthentication</c> or <c>SecureLogin</c>.</param>
/// <param name="TrustedNetworks">How many networks may log in in clear whatever the login type.</param>
internal sealed record ProtocolConfiguration(
    string LoginType,
    bool AllowCrossSiteSessions,
    bool DenyPrivilegedAccounts,
    int MaxConnections,
    int MaxConnectionFromSingleIP,
    int MaxConnectionsPerUser,
    int TrustedNetworks);

/// <param name="EncryptedClientOrder">The methods tried, in order, for a client on TLS (plain only when allowed).</param>
/// <param name="PlaintextClientOrder">The methods tried, in order, for a client in clear (plain only when allowed).</param>
internal sealed record BackendsConfiguration(bool AllowPlaintext, IReadOnlyList<string> EncryptedClientOrder, IReadOnlyList<string> PlaintextClientOrder);

/// <param name="Probes">Active probes are on.</param>
internal sealed record HealthConfiguration(bool Probes, TimeSpan ProbeInterval);

internal sealed record BruteForceConfiguration(bool Enabled);

/// <param name="Accepted">Every part of the new configuration applied (false: some part was refused and its previous content stays in force).</param>
internal sealed record LastReloadStatus(DateTime At, bool Accepted, IReadOnlyList<string> Errors);

/// <summary><c>GET /health</c>: 200 when <c>Healthy</c> or <c>Degraded</c>, 503 when <c>Unhealthy</c>.</summary>
internal sealed record HealthResponse(string Status, string Server, IReadOnlyList<HealthListener> Listeners, IReadOnlyList<string> Reasons, IReadOnlyList<HealthSite> Sites);

internal sealed record HealthListener(string Protocol, string Address, int Port, bool ImplicitTls, bool Bound);

/// <param name="Status"><c>Healthy</c>, <c>Degraded</c> or <c>Unknown</c>.</param>
internal sealed record HealthSite(string Name, string Status, int HealthyEndpoints, int Endpoints);

/// <summary><c>GET /ready</c>: 200 when ready, 503 otherwise.</summary>
internal sealed record ReadyResponse(bool Ready, IReadOnlyList<string> Reasons);
