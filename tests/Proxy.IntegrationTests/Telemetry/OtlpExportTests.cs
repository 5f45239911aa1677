using Proxy.IntegrationTests.Harness;

namespace Proxy.IntegrationTests.Telemetry;

/// <summary>
/// Issue 5: OTLP export of metrics and traces to a collector, and which setting decides where
/// they go. The standard variables are given as configuration keys (the exporter reads them
/// from the host's configuration, environment included), so parallel tests are not affected.
/// </summary>
public sealed class OtlpExportTests(TelemetryFixture fixture) : IClassFixture<TelemetryFixture>
{
    /// <summary>Short export intervals so the test waits about a second, not a minute.</summary>
    private static readonly Dictionary<string, string?> FastExport = new()
    {
        ["OTEL_METRIC_EXPORT_INTERVAL"] = "300",
        ["OTEL_BSP_SCHEDULE_DELAY"] = "200",
    };

    [Fact]
    public async Task ProxyEndpointSet_ItWinsOverOtelVariable_TracesAndMetricsArriveWithoutPassword()
    {
        await using var standard = await OtlpReceiver.StartAsync();
        await using var configured = await OtlpReceiver.StartAsync();
        var settings = new Dictionary<string, string?>(FastExport)
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = standard.Endpoint,
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["Proxy:Telemetry:Otlp:Endpoint"] = configured.Endpoint,
            ["Proxy:Telemetry:Otlp:Protocol"] = "HttpProtobuf",
        };
        await using var proxy = await fixture.StartProxyAsync(settings: settings);

        await TelemetrySession.RunAsync(proxy, MailProtocolKind.Imap, fixture.Pki, TelemetryFixture.Alice);

        var traces = await configured.WaitForAsync("/v1/traces", "backend.attempt");
        Assert.Equal("application/x-protobuf", traces.ContentType);
        Assert.True(traces.Carries(TelemetryFixture.HqServer));
        await configured.WaitForAsync("/v1/metrics", "proxy.logins");
        Assert.Empty(standard.Requests);
        Assert.DoesNotContain(configured.Requests, r => r.Carries(TelemetryFixture.Password));
    }

    [Fact]
    public async Task OnlyOtelVariableSet_ExportsThere()
    {
        await using var collector = await OtlpReceiver.StartAsync();
        var settings = new Dictionary<string, string?>(FastExport)
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = collector.Endpoint,
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
        };
        await using var proxy = await fixture.StartProxyAsync(settings: settings);

        await TelemetrySession.RunAsync(proxy, MailProtocolKind.Pop3, fixture.Pki, TelemetryFixture.Alice);

        // The exporter appends the signal's path to the standard variable itself.
        await collector.WaitForAsync("/v1/traces", "session");
        await collector.WaitForAsync("/v1/metrics", "proxy.sessions.active");
    }
}
