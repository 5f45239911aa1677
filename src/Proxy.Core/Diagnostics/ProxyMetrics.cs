using System.Diagnostics;
using System.Diagnostics.Metrics;
using Proxy.Core.Backends;
using Proxy.Core.Backends.Health;
using Proxy.Core.Configuration;
using Proxy.Core.Relay;

namespace Proxy.Core.Diagnostics;

/// <summary>
/// The proxy's instruments (docs/telemetry.md lists them). Label values are
/// closed sets — protocol, outcome, method, server name — never user names.
/// </summary>
public sealed class ProxyMetrics
{
    public const string MeterName = "Proxy";

    // The OpenTelemetry HTTP duration buckets: a backend login takes from a millisecond (loopback) to the 10 s attempt timeout.
    private static readonly double[] ConnectDurationBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

    // A session lasts from a refused login (well under a second) to a mail client kept open all day.
    private static readonly double[] SessionDurationBuckets = [0.1, 1, 10, 60, 300, 900, 1800, 3600, 7200, 14400, 28800, 86400];

    private readonly UpDownCounter<long> _activeSessions;
    private readonly Counter<long> _sessions;
    private readonly Counter<long> _logins;
    private readonly Counter<long> _backendAttempts;
    private readonly Histogram<double> _backendConnectDuration;
    private readonly Counter<long> _relayedBytes;
    private readonly Counter<long> _connectionsRefused;
    private readonly Counter<long> _loginLockouts;
    private readonly Histogram<double> _sessionDuration;
    private readonly Counter<long> _backendFallbacks;
    private readonly Meter _meter;
    private readonly Counter<long> _backendProbes;
    private readonly Histogram<double> _backendProbeDuration;
    private readonly Counter<long> _closedByProxy;
    private readonly Counter<long> _protocolLogDropped;

    public ProxyMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _activeSessions = meter.CreateUpDownCounter<long>("proxy.sessions.active", "{session}", "Client sessions open now.");
        _sessions = meter.CreateCounter<long>("proxy.sessions", "{session}", "Client sessions accepted.");
        _logins = meter.CreateCounter<long>("proxy.logins", "{login}", "Login attempts by outcome.");
        _backendAttempts = meter.CreateCounter<long>("proxy.backend.attempts", "{attempt}", "Backend connection attempts by server, method and outcome.");
        _backendConnectDuration = meter.CreateHistogram<double>("proxy.backend.connect.duration", "s", "Time from dialling a backend to its login response.", advice: new() { HistogramBucketBoundaries = ConnectDurationBuckets });
        _relayedBytes = meter.CreateCounter<long>("proxy.relay.io", "By", "Bytes relayed, by direction.");
        _sessionDuration = meter.CreateHistogram<double>("proxy.session.duration", "s", "Length of ended client sessions; its count is the sessions ended.", advice: new() { HistogramBucketBoundaries = SessionDurationBuckets });
        _backendFallbacks = meter.CreateCounter<long>("proxy.backend.fallbacks", "{attempt}", "Backend attempts after the first one of the same login, by the server and method fallen back to.");
        _connectionsRefused = meter.CreateCounter<long>("proxy.connections.refused", "{connection}", "Connections and logins refused by a connection limit.");
        _loginLockouts = meter.CreateCounter<long>("proxy.login.lockouts", "{lockout}", "Keys locked out by the brute-force protection.");
        _meter = meter;
        _backendProbes = meter.CreateCounter<long>("proxy.backend.probes", "{probe}", "Health probes of backend endpoints by server, protocol, method and outcome.");
        _backendProbeDuration = meter.CreateHistogram<double>("proxy.backend.probe.duration", "s", "Time of one health probe, connect to goodbye (or to the failure).");
        _protocolLogDropped = meter.CreateCounter<long>("proxy.protocol_log.dropped", "{row}", "Protocol log rows dropped: queue full, disk failed, or written after the writer stopped.");
        _closedByProxy = meter.CreateCounter<long>("proxy.sessions.closed_by_proxy", "{session}", "Sessions the proxy ended itself, by reason.");
    }

    public void SessionStarted(MailProtocol protocol)
    {
        var tag = ProtocolTag(protocol);
        _sessions.Add(1, tag);
        _activeSessions.Add(1, tag);
    }

    /// <summary>
    /// A session logged in on <paramref name="server"/>: it moves from the protocol-only
    /// series of <c>proxy.sessions.active</c> to the one of its backend server and site.
    /// </summary>
    public void SessionLoggedIn(MailProtocol protocol, string server, string site)
    {
        _activeSessions.Add(-1, ProtocolTag(protocol));
        _activeSessions.Add(1, SessionTags(protocol, server, site));
    }

    /// <param name="backend">The backend server and its site when the session had logged in (<see cref="SessionLoggedIn"/>), otherwise null.</param>
    public void SessionEnded(MailProtocol protocol, (string Server, string Site)? backend, TimeSpan duration)
    {
        var tags = backend is { } b ? SessionTags(protocol, b.Server, b.Site) : new TagList { ProtocolTag(protocol) };
        _activeSessions.Add(-1, tags);
        _sessionDuration.Record(duration.TotalSeconds, tags);
    }

    /// <param name="outcome">One of <c>success</c> or a <see cref="Sessions.LoginFailure"/> name in snake case.</param>
    public void Login(MailProtocol protocol, string outcome) =>
        _logins.Add(1, ProtocolTag(protocol), new("outcome", outcome));

    public void BackendAttempt(string server, BackendMethod method, string outcome, TimeSpan elapsed)
    {
        var tags = new TagList { { "server", server }, { "method", MethodName(method) }, { "outcome", outcome } };
        _backendAttempts.Add(1, tags);
        if (outcome == "success")
        {
            _backendConnectDuration.Record(elapsed.TotalSeconds, tags);
        }
    }

    /// <summary>An attempt after the first of one login: the earlier ones failed.</summary>
    public void BackendFallback(string server, BackendMethod method) =>
        _backendFallbacks.Add(1, new KeyValuePair<string, object?>("server", server), new("method", MethodName(method)));

    public void Relayed(MailProtocol protocol, RelayDirection direction, long bytes) =>
        _relayedBytes.Add(bytes, ProtocolTag(protocol), new("direction", direction == RelayDirection.ClientToBackend ? "client_to_backend" : "backend_to_client"));

    /// <param name="reason"><c>max_connections</c>, <c>max_connections_per_ip</c> or <c>max_connections_per_user</c>.</param>
    public void ConnectionRefused(MailProtocol protocol, string reason) =>
        _connectionsRefused.Add(1, ProtocolTag(protocol), new("reason", reason));

    /// <param name="scope"><c>user_and_address</c> or <c>address</c>.</param>
    public void LoginLockout(string scope) => _loginLockouts.Add(1, new KeyValuePair<string, object?>("scope", scope));

    public void BackendProbe(string server, MailProtocol protocol, BackendMethod method, string outcome, TimeSpan elapsed)
    {
        var tags = new TagList { { "server", server }, ProtocolTag(protocol), { "method", MethodName(method) }, { "outcome", outcome } };
        _backendProbes.Add(1, tags);
        _backendProbeDuration.Record(elapsed.TotalSeconds, tags);
    }

    /// <summary>
    /// Observes every endpoint's health and breaker: <c>proxy.backend.health</c> is 1 when healthy and 0
    /// otherwise (its <c>state</c> label tells unhealthy from not yet known); <c>proxy.backend.breaker.open</c>
    /// is 1 while sessions skip the endpoint (open or half-open).
    /// </summary>
    public void ObserveBackendHealth(Func<IReadOnlyList<EndpointHealthSnapshot>> snapshot)
    {
        _meter.CreateObservableGauge(
            "proxy.backend.health",
            () => snapshot().Select(e => new Measurement<int>(
                e.State == HealthState.Healthy ? 1 : 0,
                EndpointTags(e, new KeyValuePair<string, object?>("state", HealthStateName(e.State))))),
            "1",
            "Backend endpoint health: 1 healthy, 0 unhealthy or unknown.");
        _meter.CreateObservableGauge(
            "proxy.backend.breaker.open",
            () => snapshot().Select(e => new Measurement<int>(e.Breaker == BreakerState.Closed ? 0 : 1, EndpointTags(e))),
            "1",
            "1 while a backend endpoint's circuit breaker keeps sessions away (open or half-open).");
    }
    /// <param name="reason"><c>shutdown</c>, <c>kick</c>, <c>drain</c>, <c>admin_close</c> or <c>backend_lost</c>.</param>
    public void SessionClosedByProxy(MailProtocol protocol, string reason) =>
        _closedByProxy.Add(1, ProtocolTag(protocol), new("reason", reason));

    /// <param name="reason"><c>queue_full</c>, <c>write_failed</c> or <c>stopped</c>.</param>
    public void ProtocolLogDropped(MailProtocol protocol, string reason, long rows) =>
        _protocolLogDropped.Add(rows, ProtocolTag(protocol), new("reason", reason));

    public static string ProtocolName(MailProtocol protocol) => protocol == MailProtocol.Imap ? "imap" : "pop3";

    public static string MethodName(BackendMethod method) => method switch
    {
        BackendMethod.Ssl => "ssl",
        BackendMethod.StartTls => "starttls",
        _ => "plain",
    };

    private static TagList SessionTags(MailProtocol protocol, string server, string site) =>
        new() { ProtocolTag(protocol), { "server", server }, { "site", site } };

    private static string HealthStateName(HealthState state) => state switch
    {
        HealthState.Healthy => "healthy",
        HealthState.Unhealthy => "unhealthy",
        _ => "unknown",
    };

    private static KeyValuePair<string, object?>[] EndpointTags(EndpointHealthSnapshot endpoint, params KeyValuePair<string, object?>[] more) =>
    [
        new("server", endpoint.Server),
        ProtocolTag(endpoint.Protocol),
        new("method", MethodName(endpoint.Endpoint.Method)),
        new("endpoint", $"{endpoint.Endpoint.Host}:{endpoint.Endpoint.Port}"),
        .. more,
    ];

    private static KeyValuePair<string, object?> ProtocolTag(MailProtocol protocol) => new("protocol", ProtocolName(protocol));
}
