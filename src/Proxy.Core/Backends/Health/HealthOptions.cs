namespace Proxy.Core.Backends.Health;

/// <summary>
/// The <c>Proxy:Health</c> section: active probes of every backend endpoint, and the
/// thresholds with which probes and real session attempts judge an endpoint and
/// open its circuit breaker.
/// </summary>
public sealed class HealthOptions
{
    /// <summary>
    /// Active probes. When false no endpoint is probed; real session attempts still feed
    /// the health state and the circuit breakers.
    /// </summary>
    /// <remarks>Defaults to true.</remarks>
    public bool Enabled { get; set; } = true;

    /// <summary>Time between two probes of one endpoint (varied by <see cref="Jitter"/>).</summary>
    /// <remarks>Defaults to 10 seconds.</remarks>
    public TimeSpan ProbeInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Time for one probe: connect, TLS, greeting, STARTTLS, CAPABILITY/CAPA, LOGOUT/QUIT.</summary>
    /// <remarks>Defaults to 5 seconds.</remarks>
    public TimeSpan ProbeTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Each interval is <see cref="ProbeInterval"/> times a random factor in 1 ± Jitter, so
    /// probes of many endpoints (and of several proxies) do not arrive in step. 0 to 0.5.
    /// </summary>
    /// <remarks>Defaults to 0.2.</remarks>
    public double Jitter { get; set; } = 0.2;

    /// <summary>Probes in flight at once, over every endpoint. Read at start.</summary>
    /// <remarks>Defaults to 4.</remarks>
    public int MaxConcurrentProbes { get; set; } = 4;

    /// <summary>Consecutive failures (probes or session attempts) that make an endpoint unhealthy.</summary>
    /// <remarks>Defaults to 2.</remarks>
    public int UnhealthyThreshold { get; set; } = 2;

    /// <summary>Consecutive successes (probes or session attempts) that make an endpoint healthy.</summary>
    /// <remarks>Defaults to 1.</remarks>
    public int HealthyThreshold { get; set; } = 1;

    /// <summary>Consecutive failures that open the endpoint's circuit breaker: sessions then skip it.</summary>
    /// <remarks>Defaults to 3.</remarks>
    public int BreakerFailureThreshold { get; set; } = 3;

    /// <summary>How long an open breaker keeps sessions away before one attempt (or a probe) may test the endpoint.</summary>
    /// <remarks>Defaults to 30 seconds.</remarks>
    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(30);
}
