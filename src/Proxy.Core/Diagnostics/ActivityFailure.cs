using System.Diagnostics;

namespace Proxy.Core.Diagnostics;

/// <summary>How every proxy span says that its step failed.</summary>
public static class ActivityFailure
{
    /// <summary>
    /// Sets <c>error.type</c> (OpenTelemetry's attribute for the class of failure) and the
    /// Error status. <paramref name="errorType"/> is a closed value, the same as the metric's
    /// outcome label; <paramref name="description"/> must already be safe to log.
    /// </summary>
    public static void Fail(this Activity? activity, string errorType, string? description = null)
    {
        activity?.SetTag("error.type", errorType);
        activity?.SetStatus(ActivityStatusCode.Error, description ?? errorType);
    }
}
