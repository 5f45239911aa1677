using Microsoft.Extensions.Options;
using Proxy.Core.Configuration;

namespace Proxy.Host.Dashboard;

/// <summary>
/// The HTTP side of observability (docs/dashboard.md): <c>/health</c> and <c>/ready</c> for load
/// balancers and Kubernetes, always; <c>/api/v1/status</c> for the dashboard and other tools unless
/// <c>Proxy:Dashboard:Enabled</c> is false. None of them is cached by a browser or a proxy in between.
/// </summary>
internal static class StatusEndpoints
{
    public const string StatusPath = "/api/v1/status";

    public static IServiceCollection AddStatusApi(this IServiceCollection services)
    {
        services.AddSingleton<StatusBuilder>();
        return services;
    }

    public static void MapStatusEndpoints(this WebApplication app)
    {
        app.MapGet("/health", (StatusBuilder status, HttpContext context) =>
        {
            var body = status.Health(out var unhealthy);
            return Json(context, body, unhealthy ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status200OK);
        });
        app.MapGet("/ready", (StatusBuilder status, HttpContext context) =>
        {
            var body = status.Ready();
            return Json(context, body, body.Ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
        });

        if (DashboardEnabled(app))
        {
            app.MapGet(StatusPath, (StatusBuilder status, HttpContext context) => Json(context, status.Status(), StatusCodes.Status200OK));
        }
    }

    /// <summary>
    /// Read from the configuration, not validated options: mapping happens inside Build, and an invalid
    /// value must reach start-up validation (exit 2). Only "false" turns the dashboard off.
    /// </summary>
    public static bool DashboardEnabled(WebApplication app) =>
        !bool.TryParse(app.Configuration["Proxy:Dashboard:Enabled"], out var enabled) || enabled;

    private static IResult Json<T>(HttpContext context, T body, int statusCode)
    {
        context.Response.Headers.CacheControl = "no-store";
        return Results.Json(body, statusCode: statusCode);
    }
}
