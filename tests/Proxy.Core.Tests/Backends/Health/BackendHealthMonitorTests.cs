using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Proxy.Core.Backends;
using Proxy.Core.Backends.Health;
using Proxy.Core.Configuration;
using Proxy.Core.Diagnostics;
using Proxy.Core.Tests.Backends.Fakes;
using static Proxy.Core.Tests.Backends.Health.HealthHarness;

namespace Proxy.Core.Tests.Backends.Health;

public sealed class BackendHealthMonitorTests
{
    private static readonly Proxy.Core.Discovery.BackendServer CasA = Server("CAS2007A", Ssl(993), StartTls(143), Plain(143));
    private static readonly Proxy.Core.Discovery.BackendServer CasB = Server("CAS2007B", Ssl(994));

    [Fact]
    public void Snapshot_EveryDialableEndpointOfTheTopology_UnknownUntilObserved()
    {
        var harness = new HealthHarness(CasB, CasA);
        harness.ProbeSucceeds(Key(CasA, Ssl(993)));

        var snapshot = harness.Monitor.Snapshot();

        // Plaintext is not dialled unless allowed, so it is not followed either.
        Assert.Equal(
            [("CAS2007A", "127.0.0.1:993:Ssl", HealthState.Healthy), ("CAS2007A", "127.0.0.1:143:StartTls", HealthState.Unknown), ("CAS2007B", "127.0.0.1:994:Ssl", HealthState.Unknown)],
            snapshot.Select(e => (e.Server, e.Endpoint.ToString(), e.State)));
    }

    [Fact]
    public void Snapshot_PlaintextAllowed_ListsPlainEndpoints()
    {
        var harness = new HealthHarness(CasA);
        harness.Options.Backends.AllowPlaintext = true;

        Assert.Contains(harness.Monitor.Snapshot(), e => e.Endpoint.Method == BackendMethod.Plain);
    }

    [Fact]
    public void Snapshot_TopologyReloaded_FollowsIt()
    {
        var harness = new HealthHarness(CasA, CasB);

        harness.Topology.Update(Snapshot(CasB));

        Assert.Equal(["CAS2007B"], harness.Monitor.Snapshot().Select(e => e.Server));
    }

    [Fact]
    public void Retain_EndpointLeftTheTopology_ForgottenWhenItComesBack()
    {
        var harness = new HealthHarness(CasA, CasB);
        var key = Key(CasB, Ssl(994));
        harness.ProbeFails(key, 3);

        harness.Monitor.Retain(new HashSet<EndpointKey> { Key(CasA, Ssl(993)) });

        Assert.Equal(HealthState.Unknown, harness.Monitor.Get(key).State);
        Assert.True(harness.Monitor.TryAdmit(key, out _));
    }

    [Fact]
    public void Record_LogsTransitionsOnly()
    {
        var harness = new HealthHarness(CasA);
        var key = Key(CasA, Ssl(993));

        harness.ProbeFails(key, 5);
        harness.ProbeSucceeds(key);
        harness.ProbeSucceeds(key);

        var unhealthy = Assert.Single(harness.Logger.WithEvent("BackendEndpointUnhealthy"));
        Assert.Equal(LogLevel.Warning, unhealthy.Level);
        Assert.Equal(
            "Backend CAS2007A Imap endpoint 127.0.0.1:993:Ssl is unhealthy after 2 consecutive failures (last seen by a Probe: Connect: connect to 127.0.0.1 failed: Connection refused)",
            unhealthy.Message);
        var opened = Assert.Single(harness.Logger.WithEvent("BackendBreakerOpened"));
        Assert.Contains("after 3 consecutive failures", opened.Message);
        var recovered = Assert.Single(harness.Logger.WithEvent("BackendEndpointHealthy"));
        Assert.Equal(LogLevel.Information, recovered.Level);
        Assert.Single(harness.Logger.WithEvent("BackendBreakerClosed"));
    }

    [Fact]
    public void Record_FirstVerdictHealthy_LoggedAtDebugOnly()
    {
        var harness = new HealthHarness(CasA);

        harness.ProbeSucceeds(Key(CasA, Ssl(993)));

        Assert.Equal(LogLevel.Debug, Assert.Single(harness.Logger.WithEvent("BackendEndpointHealthy")).Level);
    }

    [Fact]
    public void Gauges_ReportHealthAndBreakerPerEndpoint()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var metrics = new ProxyMetrics(services.GetRequiredService<IMeterFactory>());
        var harness = new HealthHarness(CasA);
        var monitor = new BackendHealthMonitor(harness.Topology, new OptionsMonitor(harness.Options), harness.Clock, new ListLogger<BackendHealthMonitor>(), metrics);
        monitor.ReportProbe(Key(CasA, Ssl(993)), ProbeResult.Success(TimeSpan.FromMilliseconds(5)));
        for (var i = 0; i < 3; i++)
        {
            monitor.ReportProbe(Key(CasA, StartTls(143)), ProbeResult.Failed(BackendFailureKind.Timeout, "no answer", TimeSpan.FromSeconds(5)));
        }

        var measured = new List<(string Instrument, int Value, Dictionary<string, object?> Tags)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == ProxyMetrics.MeterName && instrument.Name.StartsWith("proxy.backend.", StringComparison.Ordinal))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) =>
            measured.Add((instrument.Name, value, tags.ToArray().ToDictionary(t => t.Key, t => t.Value))));
        listener.Start();
        listener.RecordObservableInstruments();

        var health = measured.Where(m => m.Instrument == "proxy.backend.health").ToList();
        Assert.Equal(2, health.Count);
        var ssl = Assert.Single(health, m => (string?)m.Tags["method"] == "ssl");
        Assert.Equal(1, ssl.Value);
        Assert.Equal(
            new Dictionary<string, object?> { ["server"] = "CAS2007A", ["protocol"] = "imap", ["method"] = "ssl", ["endpoint"] = "127.0.0.1:993", ["state"] = "healthy" },
            ssl.Tags);
        var startTls = Assert.Single(health, m => (string?)m.Tags["method"] == "starttls");
        Assert.Equal((0, "unhealthy"), (startTls.Value, (string?)startTls.Tags["state"]));
        var breakers = measured.Where(m => m.Instrument == "proxy.backend.breaker.open").ToDictionary(m => (string)m.Tags["method"]!, m => m.Value);
        Assert.Equal(new Dictionary<string, int> { ["ssl"] = 0, ["starttls"] = 1 }, breakers);
    }
}
