using Microsoft.Extensions.Options;
using Proxy.Core.Configuration;
using Proxy.Core.Discovery;
using Proxy.Core.Listening;
using Proxy.Core.Reload;

namespace Proxy.Host;

/// <summary>The start-up loop check (<see cref="ProxyLoopCheck"/>) for a reloaded topology, against the listeners bound at start.</summary>
internal sealed class ProxyLoopTopologyCheck(IOptions<ProxyOptions> options) : ITopologyCheck
{
    public IReadOnlyList<string> Check(TopologySnapshot topology) =>
        ProxyLoopCheck.Find(topology, MailListener.FromOptions(options.Value));
}
