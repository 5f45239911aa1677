namespace Proxy.Core.Diagnostics.Status;

/// <summary>What <c>/health</c>, <c>/api/v1/status</c> and the dashboard say about the proxy as a whole.</summary>
/// <param name="Status"><see cref="HealthLevel.Healthy"/>, <see cref="HealthLevel.Degraded"/> or <see cref="HealthLevel.Unhealthy"/>.</param>
/// <param name="Reasons">Why it is not healthy, one line per cause; empty when healthy.</param>
/// <param name="Sites">Every site in name order.</param>
public sealed record HealthSummary(HealthLevel Status, IReadOnlyList<string> Reasons, IReadOnlyList<SiteHealth> Sites);

/// <param name="Status"><see cref="HealthLevel.Healthy"/>, <see cref="HealthLevel.Degraded"/> or <see cref="HealthLevel.Unknown"/>.</param>
/// <param name="HealthyEndpoints">Endpoints of the site's servers that are healthy now.</param>
/// <param name="Endpoints">Endpoints of the site's servers that health follows.</param>
public sealed record SiteHealth(string Name, HealthLevel Status, int HealthyEndpoints, int Endpoints);
