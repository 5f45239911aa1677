namespace Proxy.Core.Backends.Health;

/// <summary>What probes and session attempts say about an endpoint.</summary>
public enum HealthState
{
    /// <summary>Not probed or used since the proxy started (or since the endpoint appeared in the topology).</summary>
    Unknown,

    /// <summary><see cref="HealthOptions.HealthyThreshold"/> consecutive successes.</summary>
    Healthy,

    /// <summary><see cref="HealthOptions.UnhealthyThreshold"/> consecutive failures.</summary>
    Unhealthy,
}
