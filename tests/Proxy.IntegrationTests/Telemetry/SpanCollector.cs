using System.Collections;
using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using OpenTelemetry.Trace;
using Proxy.Core.Diagnostics;

namespace Proxy.IntegrationTests.Telemetry;

/// <summary>
/// The spans a proxy exported, through OpenTelemetry's in-memory exporter added to the proxy's
/// own tracer provider. The <c>Proxy</c> activity source is process-wide, so spans of proxies
/// in parallel tests arrive too (and concurrently: hence the lock); a test picks its own
/// session by the client's port and the rest of its trace by trace id.
/// </summary>
public sealed class SpanCollector : ICollection<Activity>
{
    private readonly List<Activity> _spans = [];

    public int Count
    {
        get
        {
            lock (_spans)
            {
                return _spans.Count;
            }
        }
    }

    public bool IsReadOnly => false;

    /// <summary>For <c>ProxyUnderTest.StartAsync(configure: …)</c>. The proxy listens to its source only when an exporter is configured, so this adds both.</summary>
    public void AddTo(WebApplicationBuilder builder) =>
        builder.Services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddSource(ProxyActivitySource.Name).AddInMemoryExporter(this));

    /// <summary>Waits, bounded, for the ended <c>session</c> span of the client on <paramref name="clientPort"/>, and returns its whole trace.</summary>
    public async Task<SessionTrace> SessionAsync(int clientPort, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(15));
        while (true)
        {
            var session = Snapshot().FirstOrDefault(s => s.OperationName == "session" && Equals(s.GetTagItem("client.port"), clientPort));
            if (session is not null)
            {
                return new SessionTrace(session, Snapshot().Where(s => s.TraceId == session.TraceId && s != session).OrderBy(s => s.StartTimeUtc).ToList());
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"No session span for client port {clientPort}");
            }

            await Task.Delay(50);
        }
    }

    public void Add(Activity item)
    {
        lock (_spans)
        {
            _spans.Add(item);
        }
    }

    public void Clear()
    {
        lock (_spans)
        {
            _spans.Clear();
        }
    }

    public bool Contains(Activity item)
    {
        lock (_spans)
        {
            return _spans.Contains(item);
        }
    }

    public void CopyTo(Activity[] array, int arrayIndex)
    {
        lock (_spans)
        {
            _spans.CopyTo(array, arrayIndex);
        }
    }

    public bool Remove(Activity item)
    {
        lock (_spans)
        {
            return _spans.Remove(item);
        }
    }

    public IEnumerator<Activity> GetEnumerator() => Snapshot().GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private List<Activity> Snapshot()
    {
        lock (_spans)
        {
            return [.. _spans];
        }
    }
}

/// <summary>A session span and every other span of its trace, in start order.</summary>
public sealed record SessionTrace(Activity Session, IReadOnlyList<Activity> Descendants)
{
    public IEnumerable<Activity> All => Descendants.Prepend(Session);

    /// <summary>The session's direct children, in start order.</summary>
    public IReadOnlyList<Activity> Steps => Descendants.Where(s => s.ParentSpanId == Session.SpanId).ToList();

    public IReadOnlyList<Activity> ChildrenOf(Activity parent) => Descendants.Where(s => s.ParentSpanId == parent.SpanId).ToList();
}
