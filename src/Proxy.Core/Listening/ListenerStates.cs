using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Proxy.Core.Diagnostics;

namespace Proxy.Core.Listening;

/// <summary>
/// Which mail listeners are bound and accepting now. The host marks them once Kestrel
/// has bound them and unmarks them when it stops; readiness and the
/// <c>proxy.listener.state</c> gauge read it. The gauge lives here, next to the state
/// it reports, so it exists exactly when listener states are tracked.
/// </summary>
public sealed class ListenerStates
{
    private readonly ConcurrentDictionary<MailListener, bool> _states = new();

    public ListenerStates(IMeterFactory meterFactory)
    {
        // Same name, same Meter: the factory hands back ProxyMetrics' meter.
        meterFactory.Create(ProxyMetrics.MeterName).CreateObservableGauge(
            "proxy.listener.state",
            Observe,
            unit: null,
            description: "1 while the mail listener is bound and accepting, 0 while it is not.");
    }

    public void Set(MailListener listener, bool bound) => _states[listener] = bound;

    /// <summary>Every listener known so far, with its state.</summary>
    public IReadOnlyList<KeyValuePair<MailListener, bool>> Current =>
        _states.OrderBy(s => s.Key.ConfigurationKey, StringComparer.Ordinal).ToList();

    private IEnumerable<Measurement<int>> Observe() =>
        _states.Select(s => new Measurement<int>(
            s.Value ? 1 : 0,
            new KeyValuePair<string, object?>("protocol", ProxyMetrics.ProtocolName(s.Key.Protocol)),
            new("server.address", s.Key.EndPoint.Address.ToString()),
            new("server.port", s.Key.EndPoint.Port),
            new("implicit_tls", s.Key.ImplicitTls)));
}
