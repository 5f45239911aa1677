using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Proxy.Core.Configuration;
using Proxy.Core.Diagnostics;

namespace Proxy.Host.Telemetry;

/// <summary>
/// OpenTelemetry for the proxy (docs/telemetry.md): the <c>Proxy</c> meter and activity
/// source, Kestrel's and the runtime's meters, a Prometheus scrape endpoint on the HTTP
/// port, and OTLP export of metrics and traces when an endpoint is configured.
/// </summary>
internal static class TelemetrySetup
{
    /// <summary>Kestrel's own meter: connections and TLS handshakes of the mail listeners too.</summary>
    private const string KestrelMeter = "Microsoft.AspNetCore.Server.Kestrel";

    public static WebApplicationBuilder AddProxyTelemetry(this WebApplicationBuilder builder)
    {
        var otlp = OtlpExport.From(builder.Configuration);
        var serverName = builder.Configuration["Proxy:ServerName"] ?? Environment.MachineName;
        builder.Services.AddOpenTelemetry()
            // OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES, detected after, win over these defaults.
            .ConfigureResource(resource => resource
                .AddService("proxy", serviceVersion: typeof(TelemetrySetup).Assembly.GetName().Version?.ToString(), serviceInstanceId: serverName)
                .AddEnvironmentVariableDetector())
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(ProxyMetrics.MeterName, KestrelMeter)
                    .AddRuntimeInstrumentation()
                    .AddPrometheusExporter(prometheus =>
                    {
                        // Fixed, so the Grafana dashboard's names do not depend on what a scraper negotiates.
                        prometheus.TranslationStrategy = PrometheusAspNetCoreTranslationStrategy.UnderscoreEscapingWithSuffixes;
                    });
                if (otlp.Metrics)
                {
                    metrics.AddOtlpExporter(exporter => otlp.Apply(exporter, "v1/metrics"));
                }
            })
            .WithTracing(tracing =>
            {
                // The source is listened to only when spans go somewhere: listened to without an
                // exporter, the default AlwaysOn sampler would still create and fill every span, the
                // session's and relay's kept for the session's whole life (docs/performance.md, finding 2).
                // Whoever adds an exporter adds the source with it (tests: SpanCollector).
                if (otlp.Traces)
                {
                    tracing.AddSource(ProxyActivitySource.Name);
                    tracing.AddOtlpExporter(exporter => otlp.Apply(exporter, "v1/traces"));
                }
            });

        // The listener gauge (proxy.listener.state) is fed by the host, which knows what Kestrel bound.
        builder.Services.AddHostedService<ListenerStateTracker>();
        return builder;
    }

    /// <summary>Serves <c>/metrics</c> in the Prometheus text format (OpenMetrics when the scraper asks for it).</summary>
    public static WebApplication MapProxyTelemetry(this WebApplication app)
    {
        app.MapPrometheusScrapingEndpoint();
        return app;
    }

    /// <summary>
    /// Whether and where to push over OTLP. <c>Proxy:Telemetry:Otlp:*</c> wins over the
    /// standard <c>OTEL_EXPORTER_OTLP_*</c> variables key by key; the exporter reads the
    /// variables itself, so only the proxy's own keys are applied here.
    /// </summary>
    private sealed record OtlpExport(bool Metrics, bool Traces, Uri? Endpoint, OtlpProtocol? Protocol)
    {
        public static OtlpExport From(IConfiguration configuration)
        {
            var endpoint = configuration["Proxy:Telemetry:Otlp:Endpoint"];
            // An invalid value is reported by validation at start (exit 2); never an exception out of Build.
            var proxyEndpoint = !string.IsNullOrWhiteSpace(endpoint) && ProxyOptionsValidator.IsValidOtlpEndpoint(endpoint) ? new Uri(endpoint) : null;
            OtlpProtocol? protocol = Enum.TryParse<OtlpProtocol>(configuration["Proxy:Telemetry:Otlp:Protocol"], ignoreCase: true, out var parsed) ? parsed : null;
            var common = proxyEndpoint is not null || IsSet(configuration, "OTEL_EXPORTER_OTLP_ENDPOINT");
            return new OtlpExport(
                common || IsSet(configuration, "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT"),
                common || IsSet(configuration, "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"),
                proxyEndpoint,
                protocol);
        }

        public void Apply(OtlpExporterOptions exporter, string signalPath)
        {
            if (Protocol is { } protocol)
            {
                exporter.Protocol = protocol == OtlpProtocol.HttpProtobuf ? OtlpExportProtocol.HttpProtobuf : OtlpExportProtocol.Grpc;
            }

            if (Endpoint is { } endpoint)
            {
                // A programmatic endpoint is used as written; over HTTP it must name the signal's path,
                // which the exporter appends only to OTEL_EXPORTER_OTLP_ENDPOINT.
                exporter.Endpoint = exporter.Protocol == OtlpExportProtocol.HttpProtobuf
                    ? new Uri(endpoint.ToString().TrimEnd('/') + "/" + signalPath)
                    : endpoint;
            }
        }

        private static bool IsSet(IConfiguration configuration, string key) => !string.IsNullOrWhiteSpace(configuration[key]);
    }
}
