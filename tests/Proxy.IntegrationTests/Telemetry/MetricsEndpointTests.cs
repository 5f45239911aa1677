using Proxy.IntegrationTests.EndToEnd;

namespace Proxy.IntegrationTests.Telemetry;

/// <summary>Issue 5: <c>/metrics</c> on the HTTP port, as Prometheus (or anyone with curl) scrapes it.</summary>
public sealed class MetricsEndpointTests(TelemetryFixture fixture) : IClassFixture<TelemetryFixture>
{
    /// <summary>The proxy's series as the Prometheus exporter names them: dots to underscores, the unit appended, <c>_total</c> on counters.</summary>
    public static readonly string[] ProxySeries =
    [
        "proxy_sessions_total",
        "proxy_sessions_active",
        "proxy_session_duration_seconds_bucket",
        "proxy_session_duration_seconds_count",
        "proxy_logins_total",
        "proxy_backend_attempts_total",
        "proxy_backend_fallbacks_total",
        "proxy_backend_connect_duration_seconds_bucket",
        "proxy_backend_connect_duration_seconds_sum",
        "proxy_backend_connect_duration_seconds_count",
        "proxy_relay_io_bytes_total",
        "proxy_listener_state",
    ];

    [Fact]
    public async Task Metrics_HttpClient_PrometheusTextWithTheProxySeries()
    {
        await using var proxy = await MetricsScrape.BusyProxyAsync(fixture);

        var (contentType, text) = await MetricsScrape.GetAsync(proxy);

        Assert.StartsWith("text/plain", contentType);
        var names = MetricsScrape.SampleNames(text);
        Assert.All(ProxySeries, name => Assert.Contains(name, names));
        Assert.Contains("# TYPE proxy_logins_total counter", text);
        Assert.Contains("# TYPE proxy_backend_connect_duration_seconds histogram", text);
        Assert.Contains(MetricsScrape.Samples(text, "proxy_logins_total"), l => l.Contains("outcome=\"cross_site_denied\"") && l.Contains("protocol=\"imap\""));
        Assert.Contains(MetricsScrape.Samples(text, "proxy_backend_fallbacks_total"), l => l.Contains("method=\"starttls\"") && l.Contains($"server=\"{TelemetryFixture.HqServer}\""));
        // The latency buckets are the ones set for 1 ms to 10 s.
        var buckets = MetricsScrape.Samples(text, "proxy_backend_connect_duration_seconds_bucket");
        Assert.Contains(buckets, l => l.Contains("le=\"0.001\""));
        Assert.Contains(buckets, l => l.Contains("le=\"10\""));
        // Runtime (GC, thread pool, CPU) and Kestrel's connection metrics come along.
        Assert.Contains("dotnet_gc_collections_total", names);
        Assert.Contains("kestrel_active_connections", names);
    }

    [Fact]
    public async Task Metrics_Curl_ListenerStateOneForEveryListenerOfThisProxy()
    {
        await using var proxy = await MetricsScrape.BusyProxyAsync(fixture);

        var (exitCode, output, error) = await ExternalProcess.RunAsync(
            TimeSpan.FromSeconds(30), "curl", "--silent", "--show-error", "--fail", "--max-time", "20", $"http://127.0.0.1:{proxy.HttpPort}/metrics");

        Assert.True(exitCode == 0, $"curl failed ({exitCode}):\n{error}");
        Assert.All(ProxySeries, name => Assert.Contains(name, MetricsScrape.SampleNames(output)));
        var states = MetricsScrape.Samples(output, "proxy_listener_state");
        foreach (var port in new[] { proxy.ImapPort, proxy.ImapsPort, proxy.Pop3Port, proxy.Pop3sPort })
        {
            Assert.Contains(states, l => l.Contains($"server_port=\"{port}\"") && l.EndsWith(" 1", StringComparison.Ordinal));
        }
    }
}
