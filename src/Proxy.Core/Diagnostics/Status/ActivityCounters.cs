using System.Diagnostics.Metrics;
using Microsoft.Extensions.Hosting;

namespace Proxy.Core.Diagnostics.Status;

/// <summary>
/// Login outcomes, accepted sessions and refused connections for the status API, read off the
/// proxy's own instruments (<c>proxy.logins</c>, <c>proxy.sessions</c>, <c>proxy.connections.refused</c>)
/// with a <see cref="MeterListener"/>: the pipeline reports each of them once, to the metrics, and
/// the dashboard cannot count differently from Prometheus. Only this host's meter is heard (its
/// <see cref="IMeterFactory"/> is the meter's scope), so several proxies in one process keep apart.
/// </summary>
public sealed class ActivityCounters : IHostedService, IDisposable
{
    private const string LoginsInstrument = "proxy.logins";
    private const string SessionsInstrument = "proxy.sessions";
    private const string RefusedInstrument = "proxy.connections.refused";

    private readonly IMeterFactory _meterFactory;
    private readonly MeterListener _listener = new();
    private long _sessions;

    public ActivityCounters(IMeterFactory meterFactory, TimeProvider timeProvider)
    {
        _meterFactory = meterFactory;
        StartedAt = timeProvider.GetUtcNow();
        Logins = new ActivityTally(timeProvider);
        Refused = new ActivityTally(timeProvider);
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == ProxyMetrics.MeterName
                && ReferenceEquals(instrument.Meter.Scope, _meterFactory)
                && instrument.Name is LoginsInstrument or SessionsInstrument or RefusedInstrument)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>(OnMeasurement);
        // Instruments created before this call are published to it too.
        _listener.Start();
    }

    /// <summary>When counting began: "since start" means since then.</summary>
    public DateTimeOffset StartedAt { get; }

    /// <summary>Logins by outcome: <c>success</c> or a LoginFailure name in snake case.</summary>
    public ActivityTally Logins { get; }

    /// <summary>Connections and logins refused by a connection limit, by reason.</summary>
    public ActivityTally Refused { get; }

    /// <summary>Client sessions accepted since start.</summary>
    public long SessionsSinceStart => Interlocked.Read(ref _sessions);

    /// <summary>Nothing to do: being a hosted service only makes the host create it (and start counting) as it starts.</summary>
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose() => _listener.Dispose();

    private void OnMeasurement(Instrument instrument, long value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        switch (instrument.Name)
        {
            case SessionsInstrument:
                Interlocked.Add(ref _sessions, value);
                break;
            case LoginsInstrument:
                Logins.Add(Tag(tags, "outcome"), value);
                break;
            case RefusedInstrument:
                Refused.Add(Tag(tags, "reason"), value);
                break;
        }
    }

    private static string Tag(ReadOnlySpan<KeyValuePair<string, object?>> tags, string name)
    {
        foreach (var tag in tags)
        {
            if (tag.Key == name)
            {
                return tag.Value as string ?? "unknown";
            }
        }

        return "unknown";
    }
}
