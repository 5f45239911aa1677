using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Proxy.Core.Backends;
using Proxy.Core.Configuration;
using Proxy.Core.Diagnostics;
using Proxy.Core.Tests.Backends.Fakes;
using static Proxy.Core.Tests.Backends.Fakes.ConnectorHarness;

namespace Proxy.Core.Tests.Backends.Connect;

/// <summary>The connector's fallback counter and its <c>backend.attempt</c> spans, one per attempt made.</summary>
public sealed class BackendConnectorTelemetryTests : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly MeterListener _meters = new();
    private readonly ActivityListener _spans;
    private readonly List<(string Instrument, IReadOnlyDictionary<string, object?> Tags)> _measurements = [];
    private readonly List<Activity> _ended = [];
    private ActivityTraceId _traceId;

    public BackendConnectorTelemetryTests()
    {
        var factory = _services.GetRequiredService<IMeterFactory>();
        _meters.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter.Scope, factory))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _meters.SetMeasurementEventCallback<long>((instrument, _, tags, _) =>
        {
            lock (_measurements)
            {
                _measurements.Add((instrument.Name, tags.ToArray().ToDictionary(t => t.Key, t => t.Value)));
            }
        });
        _meters.Start();

        // Spans of parallel tests share the source; only this test's trace (see Trace) is kept.
        _spans = new ActivityListener
        {
            ShouldListenTo = source => source.Name == ProxyActivitySource.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = span =>
            {
                if (span.TraceId == _traceId)
                {
                    lock (_ended)
                    {
                        _ended.Add(span);
                    }
                }
            },
        };
        ActivitySource.AddActivityListener(_spans);
    }

    [Fact]
    public async Task ConnectAsync_FirstAttemptFails_OneFallbackForTheSecondAndASpanPerAttempt()
    {
        using var trace = Trace();
        var harness = new ConnectorHarness(metrics: new ProxyMetrics(_services.GetRequiredService<IMeterFactory>()));
        await using var backend = FakeBackend.Start(new FakeImapScript().RunAsync);

        var result = await harness.ImapAsync(Alice, ClosedAttempt(Server("A"), BackendMethod.Ssl), Attempt(Server("B"), backend, BackendMethod.Plain));

        await using var session = result.Session;
        var fallback = Assert.Single(Measurements("proxy.backend.fallbacks"));
        Assert.Equal(("B", "plain"), (fallback["server"], fallback["method"]));
        Assert.Collection(
            Spans(),
            failed =>
            {
                Assert.Equal(ActivityStatusCode.Error, failed.Status);
                Assert.Equal(("A", "ssl", "connect_failed", "connect", 1), Tags(failed));
                Assert.Equal("connect_failed", failed.GetTagItem("error.type"));
            },
            succeeded =>
            {
                Assert.Equal(ActivityStatusCode.Unset, succeeded.Status);
                Assert.Equal(("B", "plain", "success", null, 2), Tags(succeeded));
                Assert.Equal("127.0.0.1", succeeded.GetTagItem("network.peer.address"));
                Assert.Equal(backend.Endpoint(BackendMethod.Plain).Port, succeeded.GetTagItem("server.port"));
            });
    }

    [Fact]
    public async Task ConnectAsync_FirstAttemptSucceeds_NoFallback()
    {
        using var trace = Trace();
        var harness = new ConnectorHarness(metrics: new ProxyMetrics(_services.GetRequiredService<IMeterFactory>()));
        await using var backend = FakeBackend.Start(new FakeImapScript().RunAsync);

        var result = await harness.ImapAsync(Alice, Attempt(Server("A"), backend, BackendMethod.Plain));

        await using var session = result.Session;
        Assert.Empty(Measurements("proxy.backend.fallbacks"));
        Assert.Single(Measurements("proxy.backend.attempts"));
        Assert.Single(Spans());
    }

    [Fact]
    public async Task ConnectAsync_BackendEchoesPassword_SpanSaysAuthRejectedWithoutIt()
    {
        using var trace = Trace();
        var harness = new ConnectorHarness();
        var credentials = new BackendCredentials("alice@contoso.lab", "S3cret-Echo");
        var rejecting = new FakeImapScript { LoginReply = "NO [AUTHENTICATIONFAILED] bad password S3cret-Echo" };
        await using var backend = FakeBackend.Start(rejecting.RunAsync);

        await harness.ImapAsync(credentials, Attempt(Server("A"), backend, BackendMethod.Plain));

        var span = Assert.Single(Spans());
        Assert.Equal(("A", "plain", "auth_rejected", "login", 1), Tags(span));
        Assert.Equal(ActivityStatusCode.Error, span.Status);
        Assert.Contains("********", span.StatusDescription);
        Assert.DoesNotContain("S3cret-Echo", span.StatusDescription);
        Assert.DoesNotContain(span.TagObjects, t => t.Value?.ToString()?.Contains("S3cret-Echo") == true);
    }

    public void Dispose()
    {
        _spans.Dispose();
        _meters.Dispose();
        _services.Dispose();
    }

    /// <summary>The test's own parent activity: the connector's spans become its children.</summary>
    private Activity Trace()
    {
        var parent = new Activity("test").Start();
        _traceId = parent.TraceId;
        return parent;
    }

    private static (object?, object?, object?, object?, object?) Tags(Activity span) =>
        (span.GetTagItem("proxy.backend.server"), span.GetTagItem("proxy.backend.method"), span.GetTagItem("proxy.backend.outcome"),
            span.GetTagItem("proxy.backend.state"), span.GetTagItem("proxy.backend.attempt"));

    private List<IReadOnlyDictionary<string, object?>> Measurements(string instrument)
    {
        lock (_measurements)
        {
            return _measurements.Where(m => m.Instrument == instrument).Select(m => m.Tags).ToList();
        }
    }

    private List<Activity> Spans()
    {
        lock (_ended)
        {
            return _ended.Where(s => s.OperationName == "backend.attempt").OrderBy(s => s.StartTimeUtc).ToList();
        }
    }
}
