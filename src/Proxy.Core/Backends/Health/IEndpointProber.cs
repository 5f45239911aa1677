using Proxy.Core.Discovery;

namespace Proxy.Core.Backends.Health;

/// <summary>Probes one endpoint once; the scheduler decides when. Replaced by a fake in scheduling tests.</summary>
internal interface IEndpointProber
{
    /// <summary>Never throws for a failing endpoint: the result says how it failed. Cancelled only by <paramref name="cancellationToken"/>.</summary>
    Task<ProbeResult> ProbeAsync(EndpointKey key, BackendServer server, TimeSpan timeout, CancellationToken cancellationToken);
}
