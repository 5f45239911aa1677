using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;
using Proxy.Core.Configuration;
using Proxy.Core.Listening;

namespace Proxy.Host.Telemetry;

/// <summary>
/// Feeds <see cref="ListenerStates"/>: every configured mail listener is unbound until
/// the host has started, then bound if Kestrel reports its address, and unbound again
/// as soon as the host begins to stop.
/// </summary>
internal sealed class ListenerStateTracker(
    ListenerStates states,
    IOptions<ProxyOptions> options,
    IServer server,
    IHostApplicationLifetime lifetime) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var listeners = MailListener.FromOptions(options.Value);
        foreach (var listener in listeners)
        {
            states.Set(listener, bound: false);
        }

        // ApplicationStarted fires after Kestrel bound every endpoint; hosted services may start before it does.
        lifetime.ApplicationStarted.Register(() =>
        {
            var bound = BoundEndPoints();
            foreach (var listener in listeners)
            {
                states.Set(listener, bound.Contains(listener.EndPoint));
            }
        });
        lifetime.ApplicationStopping.Register(() =>
        {
            foreach (var listener in listeners)
            {
                states.Set(listener, bound: false);
            }
        });
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Kestrel lists every bound endpoint as a URL (<c>http://127.0.0.1:143</c>, <c>https://[::]:993</c>).</summary>
    private HashSet<IPEndPoint> BoundEndPoints()
    {
        var endPoints = new HashSet<IPEndPoint>();
        foreach (var address in server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [])
        {
            if (Uri.TryCreate(address, UriKind.Absolute, out var uri) && IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip))
            {
                endPoints.Add(new IPEndPoint(ip, uri.Port));
            }
        }

        return endPoints;
    }
}
