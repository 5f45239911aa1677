namespace Proxy.Core.Discovery;

/// <summary>The topology in force. A session reads <see cref="Current"/> once and keeps that snapshot.</summary>
public interface ITopologyProvider
{
    TopologySnapshot Current { get; }
}
