using System.Collections.Immutable;

namespace Proxy.Core.Backends.Drain;

/// <summary>What is draining on one server: all of it, and/or some of its endpoints.</summary>
public sealed record ServerDrain(bool Whole, ImmutableHashSet<EndpointKey> Endpoints)
{
    public static ServerDrain None { get; } = new(false, []);

    public bool IsEmpty => !Whole && Endpoints.IsEmpty;

    public bool Covers(EndpointKey endpoint) => Whole || Endpoints.Contains(endpoint);
}
