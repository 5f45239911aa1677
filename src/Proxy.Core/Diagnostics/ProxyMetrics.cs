using System.Diagnostics;
using System.Diagnostics.Metrics;
using Proxy.Core.Backends;
using Proxy.Core.Backends.Health;
using Proxy.Core.Configuration;

namespace Proxy.Core.Diagnostics;

/// <summary>
/// The proxy's instruments (docs/telemetry.md lists them). Label values are
/// closed sets — protocol, outcome, method, server name — never user names.
/// </summary>
public sealed class ProxyMetrics
{
    public const string MeterName = "Proxy";

    private readonly UpDownCounter<long> _activeSessions;
    private readonly Counter<long> _sessions;
    private readonly Counter<long> _logins;
    private readonly Counter<long> _backendAttempts;
    private readonly Histogram<double> _backendConnectDuration;
    private readonly Counter<long> _relayedBytes;
    private readonly Meter _meter;
    private readonly Counter<long> _backendProbes;
    private readonly Histogram<double> _backendProbeDuration;

    public ProxyMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _activeSessions = meter.CreateUpDownCounter<long>("proxy.sessions.active", "{session}", "Client sessions open now.");
        _sessions = meter.CreateCounter<long>("proxy.sessions", "{session}", "Client sessions accepted.");
        _logins = meter.CreateCounter<long>("proxy.logins", "{login}", "Login attempts by outcome.");
        _backendAttempts = meter.CreateCounter<long>("proxy.backend.attempts", "{attempt}", "Backend connection attempts by server, method and outcome.");
        _backendConnectDuration = meter.CreateHistogram<double>("proxy.backend.connect.duration", "s", "Time from dialling a backend to its login response.");
        _relayedBytes = meter.CreateCounter<long>("proxy.relay.bytes", "By", "Bytes relayed, by direction.");
        _meter = meter;
        _backendProbes = meter.CreateCounter<long>("proxy.backend.probes", "{probe}", "Health probes of backend endpoints by server, protocol, method and outcome.");
        _backendProbeDuration = meter.CreateHistogram<double>("proxy.backend.probe.duration", "s", "Time of one health probe, connect to goodbye (or to the failure).");
    }

    public void SessionStarted(MailProtocol protocol)
    {
        var tag = ProtocolTag(protocol);
        _sessions.Add(1, tag);
        _activeSessions.Add(1, tag);
    }

    public void SessionEnded(MailProtocol protocol) => _activeSessions.Add(-1, ProtocolTag(protocol));

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

    public void Relayed(MailProtocol protocol, long clientToBackend, long backendToClient)
    {
        _relayedBytes.Add(clientToBackend, ProtocolTag(protocol), new("direction", "client_to_backend"));
        _relayedBytes.Add(backendToClient, ProtocolTag(protocol), new("direction", "backend_to_client"));
    }

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

    /// <summary>The <c>outcome</c> label of a backend attempt or probe.</summary>
    public static string BackendOutcomeName(BackendFailureKind kind) => kind switch
    {
        BackendFailureKind.None => "success",
        BackendFailureKind.Connect => "connect_failed",
        BackendFailureKind.Timeout => "timeout",
        BackendFailureKind.Tls => "tls_failed",
        BackendFailureKind.BadGreeting => "bad_greeting",
        BackendFailureKind.NoStartTls => "no_starttls",
        BackendFailureKind.AuthRejected => "auth_rejected",
        BackendFailureKind.AuthTempFail => "auth_temporary_failure",
        _ => "protocol_error",
    };

    public static string ProtocolName(MailProtocol protocol) => protocol == MailProtocol.Imap ? "imap" : "pop3";

    public static string MethodName(BackendMethod method) => method switch
    {
        BackendMethod.Ssl => "ssl",
        BackendMethod.StartTls => "starttls",
        _ => "plain",
    };

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
