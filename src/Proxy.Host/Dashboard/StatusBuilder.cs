using Microsoft.Extensions.Options;
using Proxy.Core.Backends.Connect;
using Proxy.Core.Backends.Drain;
using Proxy.Core.Backends.Health;
using Proxy.Core.Configuration;
using Proxy.Core.Diagnostics;
using Proxy.Core.Diagnostics.Status;
using Proxy.Core.Directory;
using Proxy.Core.Discovery;
using Proxy.Core.Listening;
using Proxy.Core.Reload;
using Proxy.Core.Sessions;
using Proxy.Host.Admin;

namespace Proxy.Host.Dashboard;

/// <summary>
/// Reads the proxy's live state into the status, health and readiness answers. Everything it reads
/// is a snapshot someone else keeps; one request walks the live sessions once (O(n), a few
/// dictionaries, nothing per session) and the endpoints once.
/// </summary>
internal sealed class StatusBuilder(
    IOptionsMonitor<ProxyOptions> options,
    ITopologyProvider topology,
    IBackendHealth health,
    DrainState drains,
    SessionRegistry sessions,
    ListenerStates listenerStates,
    ActivityCounters activity,
    RecentEventBuffer recent,
    ConfigurationReloader reloader,
    IUserDirectory directory,
    IHostApplicationLifetime lifetime,
    TimeProvider timeProvider)
{
    /// <summary>The most <c>recent</c> entries one answer carries.</summary>
    public const int MaxRecent = 50;

    private static readonly string Version = typeof(StatusBuilder).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";
    private static readonly string[] RefusalReasons = ["max_connections", "max_connections_per_ip", "max_connections_per_user"];

    public StatusResponse Status()
    {
        var current = options.CurrentValue;
        var snapshot = topology.Current;
        var endpoints = health.Snapshot();
        var listeners = Listeners(current);
        var summary = HealthRollup.Evaluate(listeners, snapshot, endpoints, reloader.Last);
        var counts = SessionCounts.Of(sessions.Unordered);
        var ready = Ready(listeners);
        var logins = activity.Logins;
        var lastMinute = logins.Within(TimeSpan.FromMinutes(1));
        var refused = activity.Refused.SinceStart();

        return new StatusResponse(
            Schema: 1,
            current.ServerName,
            Version,
            Utc(timeProvider.GetUtcNow()),
            Utc(activity.StartedAt),
            summary.Status.ToString(),
            ready.Ready,
            summary.Reasons,
            [.. listeners.Select(l => new ListenerStatus(
                ProxyMetrics.ProtocolName(l.Key.Protocol), l.Key.EndPoint.Address.ToString(), l.Key.EndPoint.Port, l.Key.ImplicitTls, l.Value, counts.ByListener.GetValueOrDefault(l.Key)))],
            Sites(snapshot, endpoints, summary, counts),
            new TotalsStatus(
                counts.Total,
                new Dictionary<string, int> { ["imap"] = counts.Imap, ["pop3"] = counts.Pop3 },
                new Dictionary<string, int> { ["preAuth"] = counts.PreAuth, ["loggingIn"] = counts.LoggingIn, ["relaying"] = counts.Relaying },
                lastMinute.Values.Sum(),
                lastMinute,
                logins.Within(ActivityTally.Horizon),
                new SinceStartStatus(
                    activity.SessionsSinceStart,
                    logins.SinceStart(),
                    RefusalReasons.Concat(refused.Keys).Distinct(StringComparer.Ordinal).ToDictionary(r => r, r => refused.GetValueOrDefault(r)))),
            [.. recent.Newest(MaxRecent).Select(e => new RecentEventStatus(
                Utc(e.At), e.Kind == RecentEventKind.Refusal ? "refusal" : "error", e.EventId, e.EventName, e.Level.ToString(), e.Protocol, e.User, e.Client, e.Server, e.Message))],
            Configuration(current));
    }

    public HealthResponse Health(out bool unhealthy)
    {
        var current = options.CurrentValue;
        var listeners = Listeners(current);
        var summary = HealthRollup.Evaluate(listeners, topology.Current, health.Snapshot(), reloader.Last);
        unhealthy = summary.Status == HealthLevel.Unhealthy;
        return new HealthResponse(
            summary.Status.ToString(),
            current.ServerName,
            [.. listeners.Select(l => new HealthListener(
                ProxyMetrics.ProtocolName(l.Key.Protocol), l.Key.EndPoint.Address.ToString(), l.Key.EndPoint.Port, l.Key.ImplicitTls, l.Value))],
            summary.Reasons,
            [.. summary.Sites.Select(s => new HealthSite(s.Name, s.Status.ToString(), s.HealthyEndpoints, s.Endpoints))]);
    }

    /// <summary>
    /// Ready when every configured mail listener is bound and the host is not stopping. A refused
    /// reload does not make the proxy unready: it serves on with its last good configuration.
    /// </summary>
    public ReadyResponse Ready() => Ready(Listeners(options.CurrentValue));

    private ReadyResponse Ready(IReadOnlyList<KeyValuePair<MailListener, bool>> listeners)
    {
        var reasons = new List<string>();
        // SIGTERM signals ApplicationStopping first; a stop asked for in code reaches the session drain first.
        if (lifetime.ApplicationStopping.IsCancellationRequested || sessions.IsShuttingDown)
        {
            reasons.Add("the proxy is stopping");
        }

        reasons.AddRange(listeners.Where(l => !l.Value).Select(l => $"listener {l.Key} is not bound"));
        return new ReadyResponse(reasons.Count == 0, reasons);
    }

    /// <summary>Every configured listener with its state; one the host has not marked yet (before start) is unbound.</summary>
    private IReadOnlyList<KeyValuePair<MailListener, bool>> Listeners(ProxyOptions current)
    {
        var states = listenerStates.Current.ToDictionary(s => s.Key, s => s.Value);
        return [.. MailListener.FromOptions(current).Select(l => KeyValuePair.Create(l, states.GetValueOrDefault(l)))];
    }

    private List<SiteStatus> Sites(TopologySnapshot snapshot, IReadOnlyList<EndpointHealthSnapshot> endpoints, HealthSummary summary, SessionCounts counts)
    {
        var byServer = endpoints.ToLookup(e => e.Server, StringComparer.OrdinalIgnoreCase);
        var serversBySite = snapshot.Servers.Values.ToLookup(s => s.Site, StringComparer.OrdinalIgnoreCase);
        return [.. summary.Sites.Select(site =>
        {
            var servers = serversBySite[site.Name].OrderBy(s => s.Name, StringComparer.OrdinalIgnoreCase).Select(server =>
            {
                var drain = drains.For(server.Name);
                var serverEndpoints = byServer[server.Name].Select(e => Endpoint(e, drain, counts)).ToList();
                return new ServerStatus(server.Name, AdminEndpoints.VersionName(server.Version), Roles(server), drain.Whole, counts.ByServer.GetValueOrDefault(server.Name), serverEndpoints);
            }).ToList();
            return new SiteStatus(site.Name, site.Status.ToString(), servers.Sum(s => s.Sessions), servers);
        })];
    }

    private static EndpointStatus Endpoint(EndpointHealthSnapshot e, ServerDrain drain, SessionCounts counts) => new(
        ProxyMetrics.ProtocolName(e.Protocol),
        e.Endpoint.Host,
        e.Endpoint.Port,
        ProxyMetrics.MethodName(e.Endpoint.Method),
        e.State.ToString(),
        e.Breaker.ToString(),
        e.LastProbeAt is { } probed ? Utc(probed) : null,
        e.LastProbeLatency is { } latency ? Math.Round(latency.TotalMilliseconds, 2) : null,
        e.StateChangedAt is { } changed ? Utc(changed) : null,
        e.LastError is { } error ? new EndpointError(Utc(error.At), error.Source == HealthSource.Probe ? "probe" : "session", error.Kind.ToString(), error.Message) : null,
        drain.Covers(new Core.Backends.Drain.EndpointKey(e.Protocol, e.Endpoint.Method)),
        counts.ByEndpoint.TryGetValue(e.Server, out var onServer) ? onServer.GetValueOrDefault((e.Protocol, e.Endpoint)) : 0);

    private static string[] Roles(BackendServer server) => (server.IsMailbox, server.IsClientAccess) switch
    {
        (true, true) => ["Mailbox", "ClientAccess"],
        (true, false) => ["Mailbox"],
        (false, true) => ["ClientAccess"],
        _ => [],
    };

    private ConfigurationStatus Configuration(ProxyOptions current)
    {
        var last = reloader.Last;
        return new ConfigurationStatus(
            Protocol(current.Imap),
            Protocol(current.Pop3),
            new BackendsConfiguration(
                current.Backends.AllowPlaintext,
                [.. ConnectionPlanner.MethodOrder(clientEncrypted: true, current.Backends.AllowPlaintext).Select(ProxyMetrics.MethodName)],
                [.. ConnectionPlanner.MethodOrder(clientEncrypted: false, current.Backends.AllowPlaintext).Select(ProxyMetrics.MethodName)]),
            new HealthConfiguration(current.Health.Enabled, current.Health.ProbeInterval),
            new BruteForceConfiguration(current.BruteForce.Enabled),
            directory is FileUserDirectory ? "file" : "custom",
            last is null ? null : new LastReloadStatus(Utc(last.At), last.Report.Succeeded, last.Report.Errors));
    }

    private static ProtocolConfiguration Protocol(MailProtocolOptions o) => new(
        o.LoginType.ToString(), o.AllowCrossSiteSessions, o.DenyPrivilegedAccounts, o.MaxConnections, o.MaxConnectionFromSingleIP, o.MaxConnectionsPerUser, o.TrustedNetworks.Count);

    /// <summary>UTC to the millisecond: serialised as <c>2026-11-23T17:40:00.123Z</c>.</summary>
    private static DateTime Utc(DateTimeOffset time)
    {
        var utc = time.UtcDateTime;
        return new DateTime(utc.Ticks - (utc.Ticks % TimeSpan.TicksPerMillisecond), DateTimeKind.Utc);
    }

    /// <summary>The live sessions counted in one pass.</summary>
    private sealed class SessionCounts
    {
        public Dictionary<MailListener, int> ByListener { get; } = [];

        /// <summary>Relaying sessions by backend server (names compare as the topology's do).</summary>
        public Dictionary<string, int> ByServer { get; } = new(StringComparer.OrdinalIgnoreCase);

        /// <summary>Relaying sessions by backend server, then protocol and endpoint.</summary>
        public Dictionary<string, Dictionary<(MailProtocol, BackendEndpoint), int>> ByEndpoint { get; } = new(StringComparer.OrdinalIgnoreCase);

        public int Total { get; private set; }

        public int Imap { get; private set; }

        public int Pop3 { get; private set; }

        public int PreAuth { get; private set; }

        public int LoggingIn { get; private set; }

        public int Relaying { get; private set; }

        public static SessionCounts Of(IEnumerable<LiveSession> sessions)
        {
            var counts = new SessionCounts();
            foreach (var session in sessions)
            {
                counts.Total++;
                if (session.Protocol == MailProtocol.Imap)
                {
                    counts.Imap++;
                }
                else
                {
                    counts.Pop3++;
                }

                if (session.Listener is { } listener)
                {
                    counts.ByListener[listener] = counts.ByListener.GetValueOrDefault(listener) + 1;
                }

                switch (session.State)
                {
                    case SessionState.PreAuth:
                        counts.PreAuth++;
                        break;
                    case SessionState.LoggingIn:
                        counts.LoggingIn++;
                        break;
                    default:
                        counts.Relaying++;
                        if (session.Server is { } server && session.Endpoint is { } endpoint)
                        {
                            counts.ByServer[server.Name] = counts.ByServer.GetValueOrDefault(server.Name) + 1;
                            if (!counts.ByEndpoint.TryGetValue(server.Name, out var onServer))
                            {
                                onServer = [];
                                counts.ByEndpoint[server.Name] = onServer;
                            }

                            onServer[(session.Protocol, endpoint)] = onServer.GetValueOrDefault((session.Protocol, endpoint)) + 1;
                        }

                        break;
                }
            }

            return counts;
        }
    }
}
