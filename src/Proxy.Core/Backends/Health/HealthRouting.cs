using Proxy.Core.Configuration;
using Proxy.Core.Discovery;

namespace Proxy.Core.Backends.Health;

/// <summary>
/// How health orders the planned attempts: servers with a healthy endpoint first, then
/// servers nothing has judged yet, then the rest; otherwise discovery's order (the user's
/// rendezvous order) stands. Within a server the Exchange method order is untouched.
/// Skipping endpoints whose breaker is open happens as the connector walks, since a
/// breaker can open or half-open while it does.
/// </summary>
internal static class HealthRouting
{
    public static IReadOnlyList<ConnectionAttempt> Order(MailProtocol protocol, IReadOnlyList<ConnectionAttempt> attempts, IBackendHealth health)
    {
        var servers = new List<(string Name, int Rank, List<ConnectionAttempt> Attempts)>();
        foreach (var attempt in attempts)
        {
            var rank = Rank(health.Get(new EndpointKey(attempt.Server.Name, protocol, attempt.Endpoint)));
            var index = servers.FindIndex(s => s.Name == attempt.Server.Name);
            if (index < 0)
            {
                servers.Add((attempt.Server.Name, rank, [attempt]));
            }
            else
            {
                var server = servers[index];
                server.Attempts.Add(attempt);
                servers[index] = server with { Rank = Math.Min(server.Rank, rank) };
            }
        }

        // OrderBy is stable: servers of equal rank keep discovery's order.
        return servers.OrderBy(s => s.Rank).SelectMany(s => s.Attempts).ToList();
    }

    /// <summary>0 usable and healthy, 1 usable and not yet judged, 2 unhealthy or behind a breaker.</summary>
    private static int Rank(EndpointHealthSnapshot endpoint) =>
        endpoint.Breaker != BreakerState.Closed ? 2
        : endpoint.State switch
        {
            HealthState.Healthy => 0,
            HealthState.Unknown => 1,
            _ => 2,
        };
}
