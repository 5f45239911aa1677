using Proxy.Core.Configuration;
using Proxy.Core.Discovery;

namespace Proxy.Core.Backends.Health;

/// <summary>
/// One backend endpoint as health sees it: a server of the topology, a protocol and one
/// of that server's endpoints (host, port, method). Two servers naming the same load
/// balancer are two keys: each has its own certificate policy.
/// </summary>
public sealed record EndpointKey(string Server, MailProtocol Protocol, BackendEndpoint Endpoint)
{
    public override string ToString() => $"{Server}/{Protocol}/{Endpoint}";
}
