using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Proxy.Core.Configuration;
using Proxy.Core.Diagnostics;
using Proxy.Core.Discovery;

namespace Proxy.Core.Backends.Health;

/// <summary>
/// Holds every endpoint's <see cref="EndpointHealth"/>: probes and the connector report to
/// it, routing and the dashboard read from it. Logs transitions only (healthy, unhealthy,
/// breaker opened, half-open, closed), never every observation.
/// </summary>
internal sealed partial class BackendHealthMonitor : IBackendHealth
{
    private readonly ConcurrentDictionary<EndpointKey, EndpointHealth> _endpoints = new();
    private readonly ITopologyProvider _topology;
    private readonly IOptionsMonitor<ProxyOptions> _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;

    public BackendHealthMonitor(
        ITopologyProvider topology,
        IOptionsMonitor<ProxyOptions> options,
        TimeProvider timeProvider,
        ILogger<BackendHealthMonitor> logger,
        ProxyMetrics? metrics = null)
    {
        _topology = topology;
        _options = options;
        _timeProvider = timeProvider;
        _logger = logger;
        metrics?.ObserveBackendHealth(Snapshot);
    }

    private HealthOptions Options => _options.CurrentValue.Health;

    public IReadOnlyList<EndpointHealthSnapshot> Snapshot()
    {
        var now = _timeProvider.GetUtcNow();
        return HealthEndpoints.From(_topology.Current, _options.CurrentValue.Backends.AllowPlaintext)
            .Select(e => _endpoints.TryGetValue(e.Key, out var health) ? health.Snapshot(now) : EndpointHealthSnapshot.Unknown(e.Key))
            .ToList();
    }

    public EndpointHealthSnapshot Get(EndpointKey key) =>
        _endpoints.TryGetValue(key, out var health) ? health.Snapshot(_timeProvider.GetUtcNow()) : EndpointHealthSnapshot.Unknown(key);

    /// <summary>Whether a session may dial the endpoint now (see <see cref="EndpointHealth.TryAdmit"/>).</summary>
    /// <param name="trial">True when this attempt tests a half-open breaker: it must report, or <see cref="Abandon"/>.</param>
    public bool TryAdmit(EndpointKey key, out bool trial)
    {
        trial = false;
        if (!_endpoints.TryGetValue(key, out var health))
        {
            // Never observed: nothing has opened a breaker.
            return true;
        }

        var admitted = health.TryAdmit(Options, _timeProvider.GetUtcNow(), out trial);
        if (trial)
        {
            Log.BreakerHalfOpen(_logger, key.Server, key.Protocol, key.Endpoint.ToString());
        }

        return admitted;
    }

    /// <summary>The attempt testing a half-open breaker ended without a verdict (the client left, the budget ran out): let another test.</summary>
    public void Abandon(EndpointKey key)
    {
        if (_endpoints.TryGetValue(key, out var health))
        {
            health.Abandon();
        }
    }

    public void ReportProbe(EndpointKey key, ProbeResult result) =>
        Record(key, new HealthObservation(HealthSource.Probe, result.Failure, result.Error, result.Latency));

    /// <summary>Passive health: what one real attempt said about its endpoint (<see cref="HealthObservation.FromSession"/>).</summary>
    public void ReportSession(EndpointKey key, BackendFailureKind kind, string? reason) =>
        Record(key, HealthObservation.FromSession(kind, reason));

    /// <summary>Forgets endpoints that left the topology, so a later server of the same name starts as Unknown.</summary>
    public void Retain(IReadOnlySet<EndpointKey> current)
    {
        foreach (var key in _endpoints.Keys)
        {
            if (!current.Contains(key))
            {
                _endpoints.TryRemove(key, out _);
            }
        }
    }

    private void Record(EndpointKey key, HealthObservation observation)
    {
        var options = Options;
        var health = _endpoints.GetOrAdd(key, static k => new EndpointHealth(k));
        var change = health.Record(observation, options, _timeProvider.GetUtcNow());
        var endpoint = key.Endpoint.ToString();
        if (change.StateChanged && change.StateAfter == HealthState.Healthy)
        {
            // A recovery is news; the first verdict after start is not.
            var level = change.StateBefore == HealthState.Unhealthy ? LogLevel.Information : LogLevel.Debug;
            Log.Healthy(_logger, level, key.Server, key.Protocol, endpoint, change.StateBefore, observation.Source);
        }
        else if (change.StateChanged && change.StateAfter == HealthState.Unhealthy)
        {
            Log.Unhealthy(_logger, key.Server, key.Protocol, endpoint, change.ConsecutiveFailures, observation.Source, observation.Failure, observation.Message ?? "-");
        }

        if (change.BreakerOpened)
        {
            Log.BreakerOpened(_logger, key.Server, key.Protocol, endpoint, change.ConsecutiveFailures, options.BreakDuration);
        }
        else if (change.BreakerClosed)
        {
            Log.BreakerClosed(_logger, key.Server, key.Protocol, endpoint, observation.Source);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 3500, EventName = nameof(EventIds.BackendEndpointHealthy),
            Message = "Backend {Server} {Protocol} endpoint {Endpoint} is healthy (was {Previous}; seen by a {Source})")]
        public static partial void Healthy(ILogger logger, LogLevel level, string server, MailProtocol protocol, string endpoint, HealthState previous, HealthSource source);

        [LoggerMessage(EventId = 3501, EventName = nameof(EventIds.BackendEndpointUnhealthy), Level = LogLevel.Warning,
            Message = "Backend {Server} {Protocol} endpoint {Endpoint} is unhealthy after {Failures} consecutive failures (last seen by a {Source}: {Kind}: {Reason})")]
        public static partial void Unhealthy(
            ILogger logger, string server, MailProtocol protocol, string endpoint, int failures, HealthSource source, BackendFailureKind kind, string reason);

        [LoggerMessage(EventId = 3502, EventName = nameof(EventIds.BackendBreakerOpened), Level = LogLevel.Warning,
            Message = "Backend {Server} {Protocol} endpoint {Endpoint}: circuit breaker opened after {Failures} consecutive failures; sessions skip it for {BreakDuration} unless nothing else is left")]
        public static partial void BreakerOpened(ILogger logger, string server, MailProtocol protocol, string endpoint, int failures, TimeSpan breakDuration);

        [LoggerMessage(EventId = 3503, EventName = nameof(EventIds.BackendBreakerHalfOpen), Level = LogLevel.Information,
            Message = "Backend {Server} {Protocol} endpoint {Endpoint}: circuit breaker half-open; one session attempt tests it")]
        public static partial void BreakerHalfOpen(ILogger logger, string server, MailProtocol protocol, string endpoint);

        [LoggerMessage(EventId = 3504, EventName = nameof(EventIds.BackendBreakerClosed), Level = LogLevel.Information,
            Message = "Backend {Server} {Protocol} endpoint {Endpoint}: circuit breaker closed after a successful {Source}")]
        public static partial void BreakerClosed(ILogger logger, string server, MailProtocol protocol, string endpoint, HealthSource source);
    }
}
