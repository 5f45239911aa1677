namespace Proxy.Core.Backends.Health;

/// <summary>The circuit breaker of one endpoint.</summary>
public enum BreakerState
{
    /// <summary>Sessions dial the endpoint.</summary>
    Closed,

    /// <summary>
    /// <see cref="HealthOptions.BreakerFailureThreshold"/> consecutive failures: sessions skip the
    /// endpoint for <see cref="HealthOptions.BreakDuration"/> (unless nothing else is left to try).
    /// </summary>
    Open,

    /// <summary>The break is over: the next session attempt or probe tests the endpoint; success closes, failure reopens.</summary>
    HalfOpen,
}
