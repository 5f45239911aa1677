namespace Proxy.Core.Backends.Health;

/// <summary>
/// The runtime state of one endpoint: its health verdict and its circuit breaker, both
/// fed by probes and session attempts alike. Thread-safe; the clock is passed in, so
/// the state machine is tested on a manual clock.
/// </summary>
/// <remarks>
/// The breaker is kept here rather than in a Polly <c>CircuitBreakerStrategy</c>: routing must
/// read it before dialling (to order servers and skip open endpoints), must still dial
/// through it when nothing else is left, and probes, which are not executions of a
/// session's work, must feed it and test it without being refused by it. Polly's breaker
/// decides only while executing, throws when open, and counts a failure ratio in a
/// sampling window that the few logins a legacy server sees would rarely fill.
/// </remarks>
internal sealed class EndpointHealth(EndpointKey key)
{
    private const int MaxMessageLength = 200;

    private readonly object _lock = new();
    private HealthState _state;
    private BreakerState _breaker;
    private DateTimeOffset _openUntil;
    private DateTimeOffset? _trialSince;
    private int _failures;
    private int _successes;
    private DateTimeOffset? _lastProbeAt;
    private TimeSpan? _lastProbeLatency;
    private HealthError? _lastError;
    private DateTimeOffset? _stateChangedAt;

    public EndpointKey Key { get; } = key;

    public HealthTransition Record(HealthObservation observation, HealthOptions options, DateTimeOffset now)
    {
        lock (_lock)
        {
            var stateBefore = _state;
            var breakerBefore = BreakerAt(now);
            if (observation.Source == HealthSource.Probe)
            {
                _lastProbeAt = now;
                _lastProbeLatency = observation.Latency;
            }

            // Whatever was testing a half-open breaker has been answered, by this or by a probe.
            _trialSince = null;
            if (observation.Succeeded)
            {
                _failures = 0;
                _successes++;
                if (_successes >= options.HealthyThreshold)
                {
                    SetState(HealthState.Healthy, now);
                }

                // Evidence beats the timer: a working endpoint is dialled again at once.
                _breaker = BreakerState.Closed;
            }
            else
            {
                _successes = 0;
                _failures++;
                _lastError = new HealthError(observation.Failure, Shorten(observation.Message), observation.Source, now);
                if (_failures >= options.UnhealthyThreshold)
                {
                    SetState(HealthState.Unhealthy, now);
                }

                if (breakerBefore == BreakerState.HalfOpen
                    || (breakerBefore == BreakerState.Closed && _failures >= options.BreakerFailureThreshold))
                {
                    _breaker = BreakerState.Open;
                    _openUntil = now + options.BreakDuration;
                }
            }

            return new HealthTransition(stateBefore, _state, breakerBefore, BreakerAt(now), _failures);
        }
    }

    /// <summary>
    /// Asks the breaker whether a session may dial now. Closed: yes. Open: no. Half-open: yes
    /// for one attempt (the trial), no for the others until it is answered; a trial that never
    /// reports back is forgotten after <see cref="HealthOptions.BreakDuration"/>.
    /// </summary>
    /// <param name="trial">True when this attempt is the one testing a half-open breaker.</param>
    public bool TryAdmit(HealthOptions options, DateTimeOffset now, out bool trial)
    {
        lock (_lock)
        {
            trial = false;
            switch (BreakerAt(now))
            {
                case BreakerState.Closed:
                    return true;
                case BreakerState.Open:
                    return false;
                default:
                    if (_trialSince is { } since && now - since < options.BreakDuration)
                    {
                        return false;
                    }

                    _breaker = BreakerState.HalfOpen;
                    _trialSince = now;
                    trial = true;
                    return true;
            }
        }
    }

    /// <summary>An admitted attempt ended without a verdict (the client left, the budget ran out): let another test.</summary>
    public void Abandon()
    {
        lock (_lock)
        {
            _trialSince = null;
        }
    }

    public EndpointHealthSnapshot Snapshot(DateTimeOffset now)
    {
        lock (_lock)
        {
            var breaker = BreakerAt(now);
            return new EndpointHealthSnapshot(
                Key.Server,
                Key.Protocol,
                Key.Endpoint,
                _state,
                breaker,
                _lastProbeAt,
                _lastProbeLatency,
                _lastError,
                _failures,
                _successes,
                _stateChangedAt,
                breaker == BreakerState.Closed ? null : _openUntil);
        }
    }

    // The break ends by itself: no timer, the next reader sees it half-open.
    private BreakerState BreakerAt(DateTimeOffset now) =>
        _breaker == BreakerState.Open && now >= _openUntil ? BreakerState.HalfOpen : _breaker;

    private void SetState(HealthState state, DateTimeOffset now)
    {
        if (_state != state)
        {
            _state = state;
            _stateChangedAt = now;
        }
    }

    private static string Shorten(string? message) =>
        string.IsNullOrEmpty(message) ? "-"
        : message.Length <= MaxMessageLength ? message
        : message[..MaxMessageLength] + "...";
}
