using System.Collections.Immutable;
using Proxy.Core.Configuration;

namespace Proxy.Core.Backends.Drain;

/// <summary>
/// The drain marks, as an immutable map swapped on every change: logins read it
/// without a lock, and changes (an operator's clicks) are rare. Server names
/// compare case-insensitively, as the topology's do.
/// </summary>
internal sealed class DrainState : IDrainState
{
    private readonly Lock _gate = new();
    private ImmutableDictionary<string, ServerDrain> _drains = ImmutableDictionary.Create<string, ServerDrain>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Every server with something draining.</summary>
    public ImmutableDictionary<string, ServerDrain> Current => Volatile.Read(ref _drains);

    public bool IsDraining(string server, MailProtocol protocol, BackendMethod method)
    {
        var drains = Current;
        return !drains.IsEmpty && drains.TryGetValue(server, out var drain) && drain.Covers(new EndpointKey(protocol, method));
    }

    public ServerDrain For(string server) => Current.GetValueOrDefault(server) ?? ServerDrain.None;

    /// <summary>Marks the whole server (<paramref name="endpoint"/> null) or one endpoint as draining.</summary>
    public ServerDrain Drain(string server, EndpointKey? endpoint) =>
        Update(server, drain => endpoint is { } key ? drain with { Endpoints = drain.Endpoints.Add(key) } : drain with { Whole = true });

    /// <summary>
    /// Lifts the mark: for the whole server, every mark on it (server and endpoints); for one
    /// endpoint, that endpoint's own mark (a whole-server drain still covers it).
    /// </summary>
    public ServerDrain Undrain(string server, EndpointKey? endpoint) =>
        Update(server, drain => endpoint is { } key ? drain with { Endpoints = drain.Endpoints.Remove(key) } : ServerDrain.None);

    private ServerDrain Update(string server, Func<ServerDrain, ServerDrain> change)
    {
        lock (_gate)
        {
            var updated = change(For(server));
            Volatile.Write(ref _drains, updated.IsEmpty ? _drains.Remove(server) : _drains.SetItem(server, updated));
            return updated;
        }
    }
}
