namespace Proxy.Core.Configuration;

/// <summary>
/// Export of metrics and traces (docs/telemetry.md). The Prometheus endpoint <c>/metrics</c>
/// on the HTTP port is always served; OTLP export is off until an endpoint is configured.
/// </summary>
public sealed class TelemetryOptions
{
    public OtlpExportOptions Otlp { get; set; } = new();
}

/// <summary>
/// Push metrics and traces to an OpenTelemetry collector. Each key here wins over the
/// standard variable it matches (<c>OTEL_EXPORTER_OTLP_ENDPOINT</c>,
/// <c>OTEL_EXPORTER_OTLP_PROTOCOL</c>); a key left unset leaves the variable in force.
/// </summary>
public sealed class OtlpExportOptions
{
    /// <summary>
    /// The collector's base address, e.g. <c>http://collector:4317</c> (gRPC) or
    /// <c>http://collector:4318</c> (HTTP; <c>/v1/metrics</c> and <c>/v1/traces</c> are appended).
    /// </summary>
    /// <remarks>Defaults to unset: then <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> decides, and without it nothing is exported over OTLP.</remarks>
    public string? Endpoint { get; set; }

    /// <summary>Wire protocol to the collector.</summary>
    /// <remarks>Defaults to unset: <c>OTEL_EXPORTER_OTLP_PROTOCOL</c>, or gRPC.</remarks>
    public OtlpProtocol? Protocol { get; set; }
}

/// <summary>The OTLP transports (OpenTelemetry's <c>grpc</c> and <c>http/protobuf</c>).</summary>
public enum OtlpProtocol
{
    Grpc,
    HttpProtobuf,
}
