using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Proxy.Core.Configuration;
using Proxy.Core.Diagnostics;
using Proxy.Core.Discovery;

namespace Proxy.Core.Backends.Health;

/// <summary>
/// Probes every endpoint of the current topology on its own jittered schedule, a bounded
/// number at a time, and reports each result to the <see cref="BackendHealthMonitor"/>.
/// Follows topology reloads at its next wake-up (at most one interval later). Every wait
/// goes through <see cref="TimeProvider"/>, so scheduling is tested on a manual clock.
/// </summary>
internal sealed partial class BackendProbeService : BackgroundService
{
    private readonly ITopologyProvider _topology;
    private readonly IOptionsMonitor<ProxyOptions> _options;
    private readonly BackendHealthMonitor _monitor;
    private readonly IEndpointProber _prober;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly ProxyMetrics? _metrics;
    private readonly Random _random;
    private readonly Dictionary<EndpointKey, ScheduledProbe> _schedule = [];
    private TopologySnapshot? _scheduledTopology;
    private bool _scheduledPlaintext;
    private int _inFlight;

    public BackendProbeService(
        ITopologyProvider topology,
        IOptionsMonitor<ProxyOptions> options,
        BackendHealthMonitor monitor,
        IEndpointProber prober,
        TimeProvider timeProvider,
        ILogger<BackendProbeService> logger,
        ProxyMetrics? metrics = null,
        Random? random = null)
    {
        _topology = topology;
        _options = options;
        _monitor = monitor;
        _prober = prober;
        _timeProvider = timeProvider;
        _logger = logger;
        _metrics = metrics;
        _random = random ?? Random.Shared;
    }

    /// <summary>Probes started and not yet reported (waiting for the gate or running); tests wait for 0.</summary>
    internal int ProbesInFlight => Volatile.Read(ref _inFlight);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var health = _options.CurrentValue.Health;
        if (!health.Enabled)
        {
            Log.ProbesDisabled(_logger);
            return;
        }

        using var gate = new SemaphoreSlim(health.MaxConcurrentProbes);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                health = _options.CurrentValue.Health;
                TimeSpan sleep;
                try
                {
                    sleep = StartDueProbes(health, gate, stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // A hosted service that throws stops the host: a bug here must cost probes, not the proxy.
                    Log.ProbeLoopFailed(_logger, e);
                    sleep = health.ProbeInterval;
                }

                await Task.Delay(sleep, _timeProvider, stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The host is stopping.
        }
        finally
        {
            await Task.WhenAll(_schedule.Values.Select(p => p.Running)).ConfigureAwait(false);
        }
    }

    /// <summary>Follows the topology, starts every probe that is due, and says how long to sleep until the next one.</summary>
    private TimeSpan StartDueProbes(HealthOptions health, SemaphoreSlim gate, CancellationToken stoppingToken)
    {
        var now = _timeProvider.GetUtcNow();
        FollowTopology(health, now);
        DateTimeOffset? wake = null;
        foreach (var probe in _schedule.Values)
        {
            if (probe.DueAt <= now)
            {
                probe.DueAt = now + ProbeSchedule.NextDelay(health, _random.NextDouble());

                // A probe still running (a slow endpoint) is not stacked with another.
                if (!probe.InFlight)
                {
                    probe.InFlight = true;
                    Interlocked.Increment(ref _inFlight);
                    probe.Running = ProbeAsync(probe, health.ProbeTimeout, gate, stoppingToken);
                }
            }

            wake = wake is { } earliest && earliest < probe.DueAt ? earliest : probe.DueAt;
        }

        // With nothing to probe, look again for a reloaded topology an interval later.
        return WholeMilliseconds((wake ?? now + health.ProbeInterval) - now);
    }

    // Task.Delay truncates to whole milliseconds; rounding up keeps the loop from waking just before a
    // probe is due and spinning on zero-length delays until it is.
    private static TimeSpan WholeMilliseconds(TimeSpan delay) => TimeSpan.FromMilliseconds(Math.Ceiling(delay.TotalMilliseconds));

    /// <summary>Adds endpoints that appeared (first probe soon), drops those that left, and takes each server's current settings.</summary>
    private void FollowTopology(HealthOptions health, DateTimeOffset now)
    {
        var topology = _topology.Current;
        var allowPlaintext = _options.CurrentValue.Backends.AllowPlaintext;
        if (ReferenceEquals(topology, _scheduledTopology) && allowPlaintext == _scheduledPlaintext)
        {
            return;
        }

        var current = new HashSet<EndpointKey>();
        foreach (var (key, server) in HealthEndpoints.From(topology, allowPlaintext))
        {
            current.Add(key);
            if (_schedule.TryGetValue(key, out var probe))
            {
                // The certificate policy may have changed with the reload.
                probe.Server = server;
            }
            else
            {
                _schedule[key] = new ScheduledProbe(key, server, now + ProbeSchedule.FirstDelay(health, _random.NextDouble()));
            }
        }

        foreach (var key in _schedule.Keys.Where(k => !current.Contains(k)).ToList())
        {
            _schedule.Remove(key);
        }

        _monitor.Retain(current);
        _scheduledTopology = topology;
        _scheduledPlaintext = allowPlaintext;
        Log.ProbesScheduled(_logger, current.Count, health.ProbeInterval, health.ProbeTimeout);
    }

    private async Task ProbeAsync(ScheduledProbe probe, TimeSpan timeout, SemaphoreSlim gate, CancellationToken stoppingToken)
    {
        // Off the scheduling loop at once: a prober that finishes synchronously must not hold it up.
        await Task.Yield();
        try
        {
            await gate.WaitAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            Done(probe);
            return;
        }

        try
        {
            var (key, server) = (probe.Key, probe.Server);
            var result = await _prober.ProbeAsync(key, server, timeout, stoppingToken).ConfigureAwait(false);
            _monitor.ReportProbe(key, result);
            _metrics?.BackendProbe(key.Server, key.Protocol, key.Endpoint.Method, BackendOutcomes.Name(result.Failure), result.Latency);
            if (!result.Succeeded)
            {
                Log.ProbeFailed(_logger, key.Server, key.Protocol, key.Endpoint.ToString(), result.Failure, (long)result.Latency.TotalMilliseconds, result.Error ?? "-");
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The host is stopping.
        }
        catch (Exception e)
        {
            // A bug in one probe must not stop the others.
            Log.ProbeCrashed(_logger, probe.Key.ToString(), e);
        }
        finally
        {
            gate.Release();
            Done(probe);
        }
    }

    private void Done(ScheduledProbe probe)
    {
        probe.InFlight = false;
        Interlocked.Decrement(ref _inFlight);
    }

    /// <summary>One endpoint's place on the schedule. Touched by the scheduling loop, except <see cref="InFlight"/>.</summary>
    private sealed class ScheduledProbe(EndpointKey key, BackendServer server, DateTimeOffset dueAt)
    {
        private bool _inFlight;

        public EndpointKey Key { get; } = key;

        public BackendServer Server { get; set; } = server;

        public DateTimeOffset DueAt { get; set; } = dueAt;

        /// <summary>Set by the loop when it starts a probe, cleared by the probe once it has reported.</summary>
        public bool InFlight
        {
            get => Volatile.Read(ref _inFlight);
            set => Volatile.Write(ref _inFlight, value);
        }

        public Task Running { get; set; } = Task.CompletedTask;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 3510, EventName = nameof(EventIds.HealthProbesScheduled), Level = LogLevel.Information,
            Message = "Health probes follow {Count} backend endpoints every {Interval} (timeout {Timeout})")]
        public static partial void ProbesScheduled(ILogger logger, int count, TimeSpan interval, TimeSpan timeout);

        [LoggerMessage(EventId = 3511, EventName = nameof(EventIds.HealthProbesDisabled), Level = LogLevel.Information,
            Message = "Health probes are off (Proxy:Health:Enabled is false); session attempts alone judge backend health")]
        public static partial void ProbesDisabled(ILogger logger);

        [LoggerMessage(EventId = 3512, EventName = nameof(EventIds.HealthProbeFailed), Level = LogLevel.Debug,
            Message = "Probe of backend {Server} {Protocol} endpoint {Endpoint} failed: {Kind} after {ElapsedMs} ms: {Reason}")]
        public static partial void ProbeFailed(ILogger logger, string server, MailProtocol protocol, string endpoint, BackendFailureKind kind, long elapsedMs, string reason);

        [LoggerMessage(EventId = 3513, EventName = nameof(EventIds.HealthProbeCrashed), Level = LogLevel.Error,
            Message = "Probe of {Endpoint} failed unexpectedly; probing continues")]
        public static partial void ProbeCrashed(ILogger logger, string endpoint, Exception exception);

        [LoggerMessage(EventId = 3514, EventName = nameof(EventIds.HealthProbeLoopFailed), Level = LogLevel.Error,
            Message = "Scheduling health probes failed unexpectedly; trying again after one interval")]
        public static partial void ProbeLoopFailed(ILogger logger, Exception exception);
    }
}
