using Proxy.Core.Configuration;
using Proxy.Core.Discovery;

namespace Proxy.Core.Backends.Health;

/// <summary>The health of one endpoint at one moment, for the dashboard, the admin API and routing.</summary>
/// <param name="State">The verdict of probes and session attempts together.</param>
/// <param name="Breaker">The circuit breaker as of the snapshot's time (an expired break reads <see cref="BreakerState.HalfOpen"/>).</param>
/// <param name="LastProbeAt">When the last probe finished; null before the first.</param>
/// <param name="LastProbeLatency">How long the last probe took, connect to goodbye (also when it failed).</param>
/// <param name="LastError">The last failure, from a probe or a session; kept after the endpoint recovers.</param>
/// <param name="StateChangedAt">When <see cref="State"/> last changed; null while it is still <see cref="HealthState.Unknown"/>.</param>
/// <param name="BreakerOpenUntil">When an open breaker half-opens; null when closed.</param>
public sealed record EndpointHealthSnapshot(
    string Server,
    MailProtocol Protocol,
    BackendEndpoint Endpoint,
    HealthState State,
    BreakerState Breaker,
    DateTimeOffset? LastProbeAt,
    TimeSpan? LastProbeLatency,
    HealthError? LastError,
    int ConsecutiveFailures,
    int ConsecutiveSuccesses,
    DateTimeOffset? StateChangedAt,
    DateTimeOffset? BreakerOpenUntil)
{
    public EndpointKey Key => new(Server, Protocol, Endpoint);

    /// <summary>What an endpoint nothing has observed yet looks like.</summary>
    public static EndpointHealthSnapshot Unknown(EndpointKey key) =>
        new(key.Server, key.Protocol, key.Endpoint, HealthState.Unknown, BreakerState.Closed, null, null, null, 0, 0, null, null);
}
