namespace Proxy.Core.Backends.Health;

/// <summary>
/// Read-only view of backend health: what the dashboard, the admin API and routing see.
/// Probes and session attempts update it; nothing outside Backends/ writes to it.
/// </summary>
public interface IBackendHealth
{
    /// <summary>
    /// Every endpoint of the current topology that sessions may dial (plaintext ones only when
    /// <c>Backends:AllowPlaintext</c>), server by server in name order; endpoints never
    /// observed read <see cref="HealthState.Unknown"/>.
    /// </summary>
    IReadOnlyList<EndpointHealthSnapshot> Snapshot();

    /// <summary>One endpoint's health; <see cref="HealthState.Unknown"/> when nothing has observed it.</summary>
    EndpointHealthSnapshot Get(EndpointKey key);
}
