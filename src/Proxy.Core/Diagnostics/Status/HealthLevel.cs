namespace Proxy.Core.Diagnostics.Status;

/// <summary>The verdict of <see cref="HealthRollup"/>, overall or for one site.</summary>
public enum HealthLevel
{
    /// <summary>Every configured listener is bound and (overall) no site is degraded; the last reload applied.</summary>
    Healthy,

    /// <summary>
    /// Site: for some protocol it has endpoints for, none is healthy and one at least is unhealthy.
    /// Overall: a site is degraded or the last configuration reload was refused.
    /// </summary>
    Degraded,

    /// <summary>Overall only: a listener is not bound, or no endpoint anywhere is healthy and one at least is unhealthy.</summary>
    Unhealthy,

    /// <summary>Site only: every endpoint of the site is still unknown (probes pending or off). Does not degrade the overall status.</summary>
    Unknown,
}
