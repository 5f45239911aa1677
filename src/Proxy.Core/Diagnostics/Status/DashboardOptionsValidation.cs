namespace Proxy.Core.Diagnostics.Status;

/// <summary>The <c>Proxy:Dashboard</c> part of start-up validation; every message names its key.</summary>
internal static class DashboardOptionsValidation
{
    public static void Validate(DashboardOptions options, List<string> errors)
    {
        if (options.RecentEvents is < 1 or > DashboardOptions.MaxRecentEvents)
        {
            errors.Add($"Proxy:Dashboard:RecentEvents: {options.RecentEvents} must be between 1 and {DashboardOptions.MaxRecentEvents}");
        }
    }
}
