using Proxy.Core.Discovery;

namespace Proxy.Core.Reload;

/// <summary>
/// A rule the host applies to a topology beyond its own validation (a backend endpoint that
/// is one of the proxy's listeners). Start-up refuses such a topology; a reload refuses it too.
/// </summary>
public interface ITopologyCheck
{
    /// <summary>Every problem found, each naming its key; empty when the topology may be used.</summary>
    IReadOnlyList<string> Check(TopologySnapshot topology);
}
