namespace Proxy.Core.Backends.Health;

/// <summary>What one probe found.</summary>
/// <param name="Failure"><see cref="BackendFailureKind.None"/> when the endpoint greeted, secured (when its method asks) and listed its capabilities.</param>
/// <param name="Error">Why it failed, short and free of secrets; null on success.</param>
/// <param name="Latency">Connect to goodbye, or to the failure.</param>
internal sealed record ProbeResult(BackendFailureKind Failure, string? Error, TimeSpan Latency)
{
    public bool Succeeded => Failure == BackendFailureKind.None;

    public static ProbeResult Success(TimeSpan latency) => new(BackendFailureKind.None, null, latency);

    public static ProbeResult Failed(BackendFailureKind kind, string error, TimeSpan latency) => new(kind, error, latency);
}
