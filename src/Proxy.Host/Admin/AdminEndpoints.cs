using Proxy.Core.Backends.Drain;
using Proxy.Core.Configuration;
using Proxy.Core.Diagnostics;
using Proxy.Core.Discovery;
using Proxy.Core.Sessions;

namespace Proxy.Host.Admin;

/// <summary>
/// The admin HTTP API on the proxy's HTTP port (docs/admin.md): list sessions and servers,
/// drain and undrain a server or one of its endpoints, kick a user, close one session.
/// Everything here is runtime state; nothing is written to configuration.
/// </summary>
internal static partial class AdminEndpoints
{
    public static IServiceCollection AddAdminApi(this IServiceCollection services)
    {
        services.AddSingleton<AdminActions>();
        return services;
    }

    public static void MapAdminEndpoints(this WebApplication app)
    {
        // A middleware rather than an endpoint filter: unmatched /admin paths are guarded too.
        app.UseWhen(context => context.Request.Path.StartsWithSegments("/admin"), branch => branch.Use(AdminAccess.CheckAsync));

        var admin = app.MapGroup("/admin");
        admin.MapGet("/sessions", (SessionRegistry sessions) => Results.Json(ListSessions(sessions)));
        admin.MapPost("/sessions/{id}/close", (string id, SessionRegistry sessions) =>
            sessions.Close(id) ? Results.Json(new CloseResponse(id, true)) : NotFound($"No session '{id}'."));
        admin.MapGet("/servers", (ITopologyProvider topology, DrainState drains, SessionRegistry sessions) =>
            Results.Json(ListServers(topology.Current, drains, sessions)));
        admin.MapPost("/servers/{server}/drain", (string server, bool? force, AdminActions actions) => actions.Drain(server, null, null, force ?? false));
        admin.MapPost("/servers/{server}/{protocol}/{method}/drain", (string server, string protocol, string method, bool? force, AdminActions actions) =>
            actions.Drain(server, protocol, method, force ?? false));
        admin.MapPost("/servers/{server}/undrain", (string server, AdminActions actions) => actions.Undrain(server, null, null));
        admin.MapPost("/servers/{server}/{protocol}/{method}/undrain", (string server, string protocol, string method, AdminActions actions) =>
            actions.Undrain(server, protocol, method));
        admin.MapPost("/users/{upn}/kick", (string upn, SessionRegistry sessions) => Results.Json(new KickResponse(upn, sessions.Kick(upn))));
    }

    internal static IResult NotFound(string message) => Results.Json(new ErrorResponse(message), statusCode: StatusCodes.Status404NotFound);

    internal static IResult BadRequest(string message) => Results.Json(new ErrorResponse(message), statusCode: StatusCodes.Status400BadRequest);

    private static SessionList ListSessions(SessionRegistry registry)
    {
        var sessions = registry.Sessions.Select(s => new SessionInfo(
            s.Id,
            ProxyMetrics.ProtocolName(s.Protocol),
            s.Client?.ToString(),
            s.Listener?.EndPoint.ToString(),
            StateName(s.State),
            s.CloseReason?.MetricName(),
            s.User,
            s.Server is { } server && s.Endpoint is { } endpoint ? new BackendInfo(server.Name, endpoint.ToString(), ProxyMetrics.MethodName(endpoint.Method)) : null,
            s.StartedAt,
            s.Traffic?.ClientToBackendBytes ?? 0,
            s.Traffic?.BackendToClientBytes ?? 0)).ToList();
        return new SessionList(sessions.Count, sessions);
    }

    private static ServerList ListServers(TopologySnapshot topology, DrainState drains, SessionRegistry registry)
    {
        var live = registry.Sessions.Where(s => s.State == SessionState.Relaying && s.Server is not null).ToList();
        var servers = topology.Servers.Values.OrderBy(s => s.Name, StringComparer.OrdinalIgnoreCase).Select(server =>
        {
            var drain = drains.For(server.Name);
            var onServer = live.Where(s => string.Equals(s.Server!.Name, server.Name, StringComparison.OrdinalIgnoreCase)).ToList();
            var endpoints = server.Endpoints
                .OrderBy(e => e.Key)
                .SelectMany(e => e.Value.Select(endpoint => new EndpointInfo(
                    ProxyMetrics.ProtocolName(e.Key),
                    ProxyMetrics.MethodName(endpoint.Method),
                    endpoint.Host,
                    endpoint.Port,
                    drain.Covers(new EndpointKey(e.Key, endpoint.Method)),
                    onServer.Count(s => s.Protocol == e.Key && s.Endpoint == endpoint))))
                .ToList();
            return new ServerInfo(server.Name, server.Site, VersionName(server.Version), drain.Whole, onServer.Count, endpoints);
        }).ToList();
        return new ServerList(servers);
    }

    private static string StateName(SessionState state) => state switch
    {
        SessionState.PreAuth => "pre-auth",
        SessionState.LoggingIn => "logging-in",
        _ => "relaying",
    };

    internal static string VersionName(ServerVersion version) => version switch
    {
        ServerVersion.Exchange2007 => "2007",
        ServerVersion.Exchange2010 => "2010",
        _ => "2013",
    };
}
