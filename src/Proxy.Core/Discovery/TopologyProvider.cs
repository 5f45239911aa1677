namespace Proxy.Core.Discovery;

/// <summary>Holds the current snapshot; <see cref="Update"/> swaps it whole, so readers never see half a topology.</summary>
internal sealed class TopologyProvider(TopologySnapshot initial) : ITopologyProvider
{
    private volatile TopologySnapshot _current = initial;

    public TopologySnapshot Current => _current;

    public void Update(TopologySnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        _current = snapshot;
    }
}
