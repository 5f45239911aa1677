namespace Proxy.Core.Backends.Health;

/// <summary>What one observation changed, so the monitor can log transitions (and only transitions).</summary>
internal readonly record struct HealthTransition(
    HealthState StateBefore,
    HealthState StateAfter,
    BreakerState BreakerBefore,
    BreakerState BreakerAfter,
    int ConsecutiveFailures)
{
    public bool StateChanged => StateBefore != StateAfter;

    public bool BreakerOpened => BreakerAfter == BreakerState.Open && BreakerBefore != BreakerState.Open;

    public bool BreakerClosed => BreakerAfter == BreakerState.Closed && BreakerBefore != BreakerState.Closed;
}
