using System.Net;

namespace Proxy.Core.Backends;

/// <summary>
/// Who the session really comes from, for a backend that trusts the proxy to say so
/// (<c>ForwardClientAddress</c> in the topology): the client's address and port, the proxy's
/// address and port the client connected to, and the client's own IMAP ID fields.
/// </summary>
/// <param name="ClientId">The client's ID fields (RFC 2971) in its order, values null for NIL; null when it sent none.</param>
public sealed record ForwardedClient(IPEndPoint Remote, IPEndPoint? Local, IReadOnlyList<KeyValuePair<string, string?>>? ClientId)
{
    /// <summary>Null when the client's endpoint is not an IP endpoint (nothing a backend could use).</summary>
    public static ForwardedClient? From(EndPoint? remote, EndPoint? local, IReadOnlyList<KeyValuePair<string, string?>>? clientId) =>
        remote is IPEndPoint client
            ? new ForwardedClient(Plain(client), local is IPEndPoint proxy ? Plain(proxy) : null, clientId)
            : null;

    // A dual-stack listener sees IPv4 clients as ::ffff:a.b.c.d; backends log and match the IPv4 form.
    private static IPEndPoint Plain(IPEndPoint endPoint) =>
        endPoint.Address.IsIPv4MappedToIPv6 ? new IPEndPoint(endPoint.Address.MapToIPv4(), endPoint.Port) : endPoint;
}
