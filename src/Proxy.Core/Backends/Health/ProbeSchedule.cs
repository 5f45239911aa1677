namespace Proxy.Core.Backends.Health;

/// <summary>When the next probe of an endpoint is due. <c>unit</c> is a uniform random number in [0, 1).</summary>
internal static class ProbeSchedule
{
    /// <summary>
    /// The first probe of an endpoint comes soon (it is Unknown until then), spread over the
    /// first <c>Jitter × ProbeInterval</c> so a start or a reload does not dial every backend at once.
    /// </summary>
    public static TimeSpan FirstDelay(HealthOptions options, double unit) =>
        options.ProbeInterval * (options.Jitter * unit);

    /// <summary><c>ProbeInterval × (1 ± Jitter)</c>: never in step with other endpoints, never more than Jitter off.</summary>
    public static TimeSpan NextDelay(HealthOptions options, double unit) =>
        options.ProbeInterval * (1 + (options.Jitter * ((2 * unit) - 1)));
}
