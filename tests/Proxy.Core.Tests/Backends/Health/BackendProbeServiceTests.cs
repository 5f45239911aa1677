using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Proxy.Core.Backends;
using Proxy.Core.Backends.Health;
using Proxy.Core.Diagnostics;
using Proxy.Core.Discovery;
using Proxy.Core.Tests.Backends.Fakes;
using static Proxy.Core.Tests.Backends.Health.HealthHarness;

namespace Proxy.Core.Tests.Backends.Health;

/// <summary>Probe scheduling on a manual clock: when probes run, how many at once, and what they follow.</summary>
public sealed class BackendProbeServiceTests
{
    private static readonly BackendServer A = Server("CAS2007A", Ssl(1001), StartTls(1002));
    private static readonly BackendServer B = Server("CAS2007B", Ssl(2001));
    private static readonly BackendServer C = Server("CAS2007C", Ssl(3001), StartTls(3002));

    [Fact]
    public async Task Start_EveryEndpointProbedAtOnce_ThenAfterTheIntervalLessJitter()
    {
        // unit 0: the first probe without delay, the next at ProbeInterval × (1 - Jitter) = 8 s.
        var run = new ProbeRun(new FixedRandom(0), A, B);
        await run.StartAsync();

        await run.Prober.WaitForCallsAsync(3);
        Assert.Equal(3, run.Prober.Calls.Select(c => c.Key).Distinct().Count());
        Assert.All(run.Prober.Calls, c => Assert.Equal(run.Started, c.At));

        await run.Harness.Clock.WaitForTimerAsync(1);
        await run.WaitForIdleAsync();
        run.Harness.Clock.Advance(TimeSpan.FromSeconds(8) - TimeSpan.FromMilliseconds(1));
        Assert.Equal(3, run.Prober.Calls.Count);

        run.Harness.Clock.Advance(TimeSpan.FromMilliseconds(1));
        await run.Prober.WaitForCallsAsync(6);
        Assert.All(run.Prober.Calls.Skip(3), c => Assert.Equal(run.Started + TimeSpan.FromSeconds(8), c.At));
        await run.StopAsync();
    }

    [Fact]
    public async Task Start_FirstProbesSpreadOverTheJitterWindow_NextOnesAtIntervalPlusJitter()
    {
        // unit just below 1: the first probe after ProbeInterval × Jitter = 2 s, the next 12 s later.
        var run = new ProbeRun(new FixedRandom(0.999999), A);
        await run.StartAsync();
        await run.Harness.Clock.WaitForTimerAsync(1);

        run.Harness.Clock.Advance(TimeSpan.FromSeconds(1.99));
        Assert.Empty(run.Prober.Calls);
        run.Harness.Clock.Advance(TimeSpan.FromSeconds(0.01));
        await run.Prober.WaitForCallsAsync(2);

        await run.Harness.Clock.WaitForTimerAsync(2);
        await run.WaitForIdleAsync();
        run.Harness.Clock.Advance(TimeSpan.FromSeconds(11.99));
        Assert.Equal(2, run.Prober.Calls.Count);
        run.Harness.Clock.Advance(TimeSpan.FromSeconds(0.01));
        await run.Prober.WaitForCallsAsync(4);
        await run.StopAsync();
    }

    [Fact]
    public async Task Probes_NeverMoreInFlightThanMaxConcurrentProbes()
    {
        var run = new ProbeRun(new FixedRandom(0), A, B, C);
        run.Harness.Health.MaxConcurrentProbes = 2;
        var release = new SemaphoreSlim(0);
        run.Prober.Behaviour = async (_, token) =>
        {
            await release.WaitAsync(token);
            return ProbeResult.Success(TimeSpan.FromMilliseconds(1));
        };
        await run.StartAsync();

        await run.Prober.WaitForCallsAsync(2);
        for (var i = 0; i < 5; i++)
        {
            release.Release();
            await run.Prober.WaitForCallsAsync(Math.Min(5, 3 + i));
        }

        Assert.Equal(5, run.Prober.Calls.Count);
        Assert.Equal(2, run.Prober.MaxInFlight);
        await run.StopAsync();
    }

    [Fact]
    public async Task Probe_StillRunningWhenDueAgain_NotStacked()
    {
        var run = new ProbeRun(new FixedRandom(0), A);
        var slow = Key(A, Ssl(1001));
        var hang = new TaskCompletionSource<ProbeResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        run.Prober.Behaviour = (key, _) => key == slow ? hang.Task : Task.FromResult(ProbeResult.Success(TimeSpan.Zero));
        await run.StartAsync();
        await run.Prober.WaitForCallsAsync(2);
        await run.Harness.Clock.WaitForTimerAsync(1);

        await run.WaitForIdleAsync(stillRunning: 1);
        run.Harness.Clock.Advance(TimeSpan.FromSeconds(8));
        await run.Prober.WaitForCallsAsync(3);
        await run.Harness.Clock.WaitForTimerAsync(2);

        Assert.Equal(1, run.Prober.Calls.Count(c => c.Key == slow));
        hang.SetResult(ProbeResult.Success(TimeSpan.FromSeconds(9)));
        await run.StopAsync();
    }

    [Fact]
    public async Task Results_ReachTheMonitor()
    {
        var run = new ProbeRun(new FixedRandom(0), A);
        var dead = Key(A, StartTls(1002));
        run.Prober.Behaviour = (key, _) => Task.FromResult(key == dead
            ? ProbeResult.Failed(BackendFailureKind.BadGreeting, "no greeting within Health:ProbeTimeout (00:00:05) (state=banner)", TimeSpan.FromSeconds(5))
            : ProbeResult.Success(TimeSpan.FromMilliseconds(4)));
        await run.StartAsync();
        await run.Prober.WaitForCallsAsync(2);
        await run.Harness.Clock.WaitForTimerAsync(1);
        await run.WaitForIdleAsync();
        run.Harness.Clock.Advance(TimeSpan.FromSeconds(8));
        await run.Prober.WaitForCallsAsync(4);

        await WaitUntilAsync(() => run.Harness.Monitor.Get(dead).State == HealthState.Unhealthy);
        Assert.Equal(HealthState.Healthy, run.Harness.Monitor.Get(Key(A, Ssl(1001))).State);
        Assert.Equal(BackendFailureKind.BadGreeting, run.Harness.Monitor.Get(dead).LastError!.Kind);
        Assert.Equal(2, run.Logger.WithEvent("HealthProbeFailed").Count);
        await run.StopAsync();
    }

    [Fact]
    public async Task Results_CountedAndTimedInMetrics()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var run = new ProbeRun(new FixedRandom(0), B) { Metrics = new ProxyMetrics(services.GetRequiredService<IMeterFactory>()) };
        run.Prober.Behaviour = (_, _) => Task.FromResult(ProbeResult.Failed(BackendFailureKind.Tls, "TLS handshake failed", TimeSpan.FromMilliseconds(250)));
        var measured = new List<(string Instrument, double Value, Dictionary<string, object?> Tags)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == ProxyMetrics.MeterName && instrument.Name.StartsWith("proxy.backend.probe", StringComparison.Ordinal))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Add(instrument.Name, value, tags));
        listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Add(instrument.Name, value, tags));
        listener.Start();

        await run.StartAsync();
        await run.Prober.WaitForCallsAsync(1);
        await run.WaitForIdleAsync();
        await run.StopAsync();

        var expectedTags = new Dictionary<string, object?> { ["server"] = "CAS2007B", ["protocol"] = "imap", ["method"] = "ssl", ["outcome"] = "tls_failed" };
        lock (measured)
        {
            Assert.Equal(
                [("proxy.backend.probe.duration", 0.25), ("proxy.backend.probes", 1.0)],
                measured.Select(m => (m.Instrument, m.Value)).Order());
            Assert.All(measured, m => Assert.Equal(expectedTags, m.Tags));
        }

        void Add(string instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var copy = tags.ToArray().ToDictionary(t => t.Key, t => t.Value);
            lock (measured)
            {
                measured.Add((instrument, value, copy));
            }
        }
    }

    [Fact]
    public async Task TopologyReloaded_NewEndpointProbedAtNextWakeUp_RemovedOneNoLonger()
    {
        var run = new ProbeRun(new FixedRandom(0), A, B);
        await run.StartAsync();
        await run.Prober.WaitForCallsAsync(3);
        await run.Harness.Clock.WaitForTimerAsync(1);

        run.Harness.Topology.Update(Snapshot(B, C));
        await run.WaitForIdleAsync();
        run.Harness.Clock.Advance(TimeSpan.FromSeconds(8));
        await run.Prober.WaitForCallsAsync(6);
        await run.Harness.Clock.WaitForTimerAsync(2);

        var second = run.Prober.Calls.Skip(3).Select(c => c.Key.Server).Order().ToList();
        Assert.Equal(["CAS2007B", "CAS2007C", "CAS2007C"], second);
        Assert.Equal(2, run.Logger.WithEvent("HealthProbesScheduled").Count);
        await run.StopAsync();
    }

    [Fact]
    public async Task SchedulingThrows_LoggedAndProbingResumesAnIntervalLater()
    {
        var run = new ProbeRun(new FixedRandom(0), A);
        run.Topology = new FailingOnceTopology(run.Harness.Topology);
        await run.StartAsync();
        await run.Harness.Clock.WaitForTimerAsync(1);

        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Error, Assert.Single(run.Logger.WithEvent("HealthProbeLoopFailed")).Level);
        Assert.Empty(run.Prober.Calls);
        run.Harness.Clock.Advance(run.Harness.Health.ProbeInterval);

        await run.Prober.WaitForCallsAsync(2);
        await run.StopAsync();
    }

    [Fact]
    public async Task Disabled_NothingProbedNoTimer()
    {
        var run = new ProbeRun(new FixedRandom(0), A, B);
        run.Harness.Health.Enabled = false;

        await run.StartAsync();
        await WaitUntilAsync(() => run.Logger.WithEvent("HealthProbesDisabled").Count > 0);
        run.Harness.Clock.Advance(TimeSpan.FromMinutes(5));

        Assert.Empty(run.Prober.Calls);
        Assert.Equal(0, run.Harness.Clock.CreatedTimers);
        Assert.Single(run.Logger.WithEvent("HealthProbesDisabled"));
        await run.StopAsync();
    }

    [Fact]
    public async Task Stop_CancelsProbesInFlight()
    {
        var run = new ProbeRun(new FixedRandom(0), B);
        run.Prober.Behaviour = async (_, token) =>
        {
            await Task.Delay(Timeout.Infinite, token);
            return ProbeResult.Success(TimeSpan.Zero);
        };
        await run.StartAsync();
        await run.Prober.WaitForCallsAsync(1);

        await run.StopAsync().WaitAsync(TimeSpan.FromSeconds(5));
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 500 && !condition(); i++)
        {
            await Task.Delay(10);
        }

        Assert.True(condition(), "the condition never held");
    }

    private sealed class FailingOnceTopology(ITopologyProvider inner) : ITopologyProvider
    {
        private int _reads;

        public TopologySnapshot Current =>
            Interlocked.Increment(ref _reads) == 1 ? throw new InvalidOperationException("a bug") : inner.Current;
    }

    private sealed class FixedRandom(double unit) : Random
    {
        public override double NextDouble() => unit;
    }

    /// <summary>A probe service over a fake prober, with the harness's clock and topology.</summary>
    private sealed class ProbeRun
    {
        private readonly Random _random;
        private BackendProbeService? _service;

        public ProbeRun(Random random, params BackendServer[] servers)
        {
            _random = random;
            Harness = new HealthHarness(servers);
            Prober = new FakeProber(Harness.Clock);
            Started = Harness.Clock.GetUtcNow();
        }

        public HealthHarness Harness { get; }

        public FakeProber Prober { get; }

        public ListLogger<BackendProbeService> Logger { get; } = new();

        public DateTimeOffset Started { get; }

        public ProxyMetrics? Metrics { get; init; }

        /// <summary>What the service reads the topology from; the harness's own unless a test says otherwise.</summary>
        public ITopologyProvider? Topology { get; set; }

        /// <summary>Waits until the probes started so far have reported (but <paramref name="stillRunning"/>): a probe in flight is not started again.</summary>
        public async Task WaitForIdleAsync(int stillRunning = 0)
        {
            await WaitUntilAsync(() => _service!.ProbesInFlight == stillRunning);
        }

        public Task StartAsync()
        {
            _service = new BackendProbeService(
                Topology ?? Harness.Topology, new OptionsMonitor(Harness.Options), Harness.Monitor, Prober, Harness.Clock, Logger, Metrics, _random);
            return _service.StartAsync(CancellationToken.None);
        }

        public async Task StopAsync()
        {
            await _service!.StopAsync(CancellationToken.None);
            _service.Dispose();
        }
    }

    private sealed class FakeProber(TimeProvider clock) : IEndpointProber
    {
        private readonly List<(EndpointKey Key, DateTimeOffset At)> _calls = [];
        private int _inFlight;
        private int _maxInFlight;

        public Func<EndpointKey, CancellationToken, Task<ProbeResult>> Behaviour { get; set; } =
            (_, _) => Task.FromResult(ProbeResult.Success(TimeSpan.FromMilliseconds(10)));

        public IReadOnlyList<(EndpointKey Key, DateTimeOffset At)> Calls
        {
            get
            {
                lock (_calls)
                {
                    return [.. _calls];
                }
            }
        }

        public int MaxInFlight => Volatile.Read(ref _maxInFlight);

        public async Task<ProbeResult> ProbeAsync(EndpointKey key, BackendServer server, TimeSpan timeout, CancellationToken cancellationToken)
        {
            var inFlight = Interlocked.Increment(ref _inFlight);
            lock (_calls)
            {
                _maxInFlight = Math.Max(_maxInFlight, inFlight);
                _calls.Add((key, clock.GetUtcNow()));
            }

            try
            {
                return await Behaviour(key, cancellationToken);
            }
            finally
            {
                Interlocked.Decrement(ref _inFlight);
            }
        }

        public async Task WaitForCallsAsync(int count)
        {
            for (var i = 0; i < 500 && Calls.Count < count; i++)
            {
                await Task.Delay(10);
            }

            Assert.True(Calls.Count >= count, $"{Calls.Count} probes, expected {count}");
        }
    }
}
