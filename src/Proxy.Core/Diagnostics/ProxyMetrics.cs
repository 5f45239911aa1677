using System.Diagnostics;
using System.Diagnostics.Metrics;
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
    private readonly Counter<long> _closedByProxy;

    public ProxyMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _activeSessions = meter.CreateUpDownCounter<long>("proxy.sessions.active", "{session}", "Client sessions open now.");
        _sessions = meter.CreateCounter<long>("proxy.sessions", "{session}", "Client sessions accepted.");
        _logins = meter.CreateCounter<long>("proxy.logins", "{login}", "Login attempts by outcome.");
        _backendAttempts = meter.CreateCounter<long>("proxy.backend.attempts", "{attempt}", "Backend connection attempts by server, method and outcome.");
        _backendConnectDuration = meter.CreateHistogram<double>("proxy.backend.connect.duration", "s", "Time from dialling a backend to its login response.");
        _relayedBytes = meter.CreateCounter<long>("proxy.relay.bytes", "By", "Bytes relayed, by direction.");
        _closedByProxy = meter.CreateCounter<long>("proxy.sessions.closed_by_proxy", "{session}", "Sessions the proxy ended itself, by reason.");
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

    /// <param name="reason"><c>shutdown</c>, <c>kick</c>, <c>drain</c>, <c>admin_close</c> or <c>backend_lost</c>.</param>
    public void SessionClosedByProxy(MailProtocol protocol, string reason) =>
        _closedByProxy.Add(1, ProtocolTag(protocol), new("reason", reason));

    public static string ProtocolName(MailProtocol protocol) => protocol == MailProtocol.Imap ? "imap" : "pop3";

    public static string MethodName(BackendMethod method) => method switch
    {
        BackendMethod.Ssl => "ssl",
        BackendMethod.StartTls => "starttls",
        _ => "plain",
    };

    private static KeyValuePair<string, object?> ProtocolTag(MailProtocol protocol) => new("protocol", ProtocolName(protocol));
}
