using Proxy.Core.Configuration;
using Proxy.Core.Discovery;

namespace Proxy.Core.Backends.Health;

/// <summary>The endpoints health follows: every endpoint of the topology a session could dial.</summary>
internal static class HealthEndpoints
{
    private static readonly MailProtocol[] Protocols = [MailProtocol.Imap, MailProtocol.Pop3];

    /// <summary>
    /// Server by server in name order, IMAP then POP3, each endpoint as configured.
    /// Plaintext endpoints only when <paramref name="allowPlaintext"/>: sessions never dial them otherwise.
    /// </summary>
    public static IEnumerable<(EndpointKey Key, BackendServer Server)> From(TopologySnapshot topology, bool allowPlaintext)
    {
        foreach (var server in topology.Servers.Values.OrderBy(s => s.Name, StringComparer.OrdinalIgnoreCase))
        {
            foreach (var protocol in Protocols)
            {
                if (!server.Endpoints.TryGetValue(protocol, out var endpoints))
                {
                    continue;
                }

                foreach (var endpoint in endpoints.Distinct())
                {
                    if (allowPlaintext || endpoint.Method != BackendMethod.Plain)
                    {
                        yield return (new EndpointKey(server.Name, protocol, endpoint), server);
                    }
                }
            }
        }
    }
}
