namespace Proxy.Core.Diagnostics.Status;

/// <summary>
/// The <c>Proxy:Dashboard</c> section: the health dashboard (<c>/</c>) and its JSON API
/// (<c>/api/v1/status</c>) on the HTTP port. <c>/health</c> and <c>/ready</c> are always served.
/// Both settings are read at start.
/// </summary>
public sealed class DashboardOptions
{
    /// <summary>Largest number the recent-events buffer may hold.</summary>
    public const int MaxRecentEvents = 10_000;

    /// <summary>Serve the dashboard page and <c>/api/v1/status</c>.</summary>
    /// <remarks>Defaults to true.</remarks>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Refusals and errors (Warning and above, and the refusals logged at Information) kept in
    /// memory for the dashboard's "recent" list; the API shows the newest 50 of them. 1 to 10,000.
    /// </summary>
    /// <remarks>Defaults to 100.</remarks>
    public int RecentEvents { get; set; } = 100;
}
