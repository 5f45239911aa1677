using Proxy.Core.Backends.Drain;
using Proxy.Core.Diagnostics;
using Proxy.Core.Discovery;
using Proxy.Core.Sessions;

namespace Proxy.Host.Admin;

/// <summary>
/// Drain and undrain, checked against the topology in force: a server the topology does not
/// know is a 404, a protocol or method that is not one of ours a 400, so a typo is never
/// silently recorded as a drain that matches nothing.
/// </summary>
internal sealed partial class AdminActions(ITopologyProvider topology, DrainState drains, SessionRegistry sessions, ILogger<AdminActions> logger)
{
    public IResult Drain(string server, string? protocol, string? method, bool force)
    {
        if (Resolve(server, protocol, method, out var name, out var endpoint) is { } error)
        {
            return error;
        }

        var drain = drains.Drain(name, endpoint);
        var closed = force ? sessions.CloseOnBackend(name, endpoint) : 0;
        Log.DrainStarted(logger, name, endpoint?.ToString() ?? "all endpoints", force, closed);
        return Results.Json(new DrainResponse(name, endpoint?.ToString(), Draining(drain, endpoint), closed));
    }

    public IResult Undrain(string server, string? protocol, string? method)
    {
        if (Resolve(server, protocol, method, out var name, out var endpoint) is { } error)
        {
            return error;
        }

        var drain = drains.Undrain(name, endpoint);
        var still = Draining(drain, endpoint);
        Log.DrainEnded(logger, name, endpoint?.ToString() ?? "all endpoints", still);
        return Results.Json(new DrainResponse(name, endpoint?.ToString(), still, 0));
    }

    private static bool Draining(ServerDrain drain, EndpointKey? endpoint) => endpoint is { } key ? drain.Covers(key) : drain.Whole;

    private IResult? Resolve(string server, string? protocol, string? method, out string name, out EndpointKey? endpoint)
    {
        name = server;
        endpoint = null;
        if (!topology.Current.Servers.TryGetValue(server, out var known))
        {
            return AdminEndpoints.NotFound($"No server '{server}' in the topology.");
        }

        // The topology's spelling, so drain marks and logs name the server one way.
        name = known.Name;
        if (protocol is null || method is null)
        {
            return null;
        }

        if (!EndpointKey.TryParse(protocol, method, out var key))
        {
            return AdminEndpoints.BadRequest($"'{protocol}/{method}' is not an endpoint: use imap or pop3, then ssl, starttls or plain.");
        }

        endpoint = key;
        return null;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 3552, EventName = nameof(EventIds.BackendDrainStarted), Level = LogLevel.Warning,
            Message = "Server {Server} ({Endpoint}) is draining: no new sessions go there (force: {Force}; {Closed} session(s) closing)")]
        public static partial void DrainStarted(ILogger logger, string server, string endpoint, bool force, int closed);

        [LoggerMessage(EventId = 3553, EventName = nameof(EventIds.BackendDrainEnded), Level = LogLevel.Information,
            Message = "Server {Server} ({Endpoint}) undrained (still draining: {StillDraining})")]
        public static partial void DrainEnded(ILogger logger, string server, string endpoint, bool stillDraining);
    }
}
