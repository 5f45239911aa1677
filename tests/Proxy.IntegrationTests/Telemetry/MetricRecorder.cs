using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Proxy.Core.Diagnostics;
using Proxy.IntegrationTests.Harness;

namespace Proxy.IntegrationTests.Telemetry;

/// <summary>One measurement of a proxy instrument, with its labels.</summary>
public sealed record Measured(string Instrument, double Value, IReadOnlyDictionary<string, string?> Labels)
{
    public string? this[string label] => Labels.GetValueOrDefault(label);
}

/// <summary>
/// Every measurement of ONE proxy's <c>Proxy</c> meter, as it is recorded. Other proxies in the
/// test process use a meter of the same name, so the listener keeps only instruments whose meter
/// came from this proxy's <see cref="IMeterFactory"/>: an exact count stays exact while other
/// tests run in parallel.
/// </summary>
public sealed class MetricRecorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly List<Measured> _measurements = [];

    public MetricRecorder(ProxyUnderTest proxy)
    {
        var factory = proxy.Services.GetRequiredService<IMeterFactory>();
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == ProxyMetrics.MeterName && ReferenceEquals(instrument.Meter.Scope, factory))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Add(instrument, value, tags));
        _listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => Add(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Add(instrument, value, tags));
        _listener.Start();
    }

    /// <summary>Measurements of <paramref name="instrument"/> so far (observable ones after <see cref="Observe"/>).</summary>
    public IReadOnlyList<Measured> Of(string instrument)
    {
        lock (_measurements)
        {
            return _measurements.Where(m => m.Instrument == instrument).ToList();
        }
    }

    /// <summary>Asks every observable instrument (gauges) for its current values.</summary>
    public void Observe() => _listener.RecordObservableInstruments();

    /// <summary>Waits, bounded, until <paramref name="instrument"/> has at least <paramref name="count"/> measurements.</summary>
    public async Task<IReadOnlyList<Measured>> WaitForAsync(string instrument, int count, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(15));
        while (true)
        {
            var found = Of(instrument);
            if (found.Count >= count)
            {
                return found;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{instrument}: {found.Count} of {count} measurements");
            }

            await Task.Delay(50);
        }
    }

    public void Dispose() => _listener.Dispose();

    private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var labels = new Dictionary<string, string?>();
        foreach (var (key, tagValue) in tags)
        {
            labels[key] = tagValue switch
            {
                bool b => b ? "true" : "false",
                _ => tagValue?.ToString(),
            };
        }

        lock (_measurements)
        {
            _measurements.Add(new Measured(instrument.Name, value, labels));
        }
    }
}
