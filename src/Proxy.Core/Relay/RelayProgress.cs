using Proxy.Protocols.Common;

namespace Proxy.Core.Relay;

/// <summary>
/// What a running relay shares with the rest of the proxy (the session list, the
/// goodbye decision): bytes so far each way, and where the client's stream stands.
/// Written by the relay's pumps only; read from anywhere.
/// </summary>
internal sealed class RelayProgress(IResponseBoundary? boundary = null)
{
    private long _clientToBackend;
    private long _backendToClient;

    /// <summary>Follows the backend's responses; null for a protocol that cannot be told goodbye mid-session (POP3).</summary>
    public IResponseBoundary? Boundary { get; } = boundary;

    public long ClientToBackendBytes => Volatile.Read(ref _clientToBackend);

    public long BackendToClientBytes => Volatile.Read(ref _backendToClient);

    /// <summary>
    /// The client has received only whole responses and the backend has not said goodbye
    /// itself: the proxy may add its own goodbye now without corrupting anything.
    /// </summary>
    public bool CanSayGoodbye => Boundary is { AtBoundary: true, ServerSaidGoodbye: false };

    internal void Add(RelayDirection direction, long bytes)
    {
        // One writer per direction: a plain read-modify-write is enough; readers only need an untorn value.
        if (direction == RelayDirection.ClientToBackend)
        {
            Volatile.Write(ref _clientToBackend, _clientToBackend + bytes);
        }
        else
        {
            Volatile.Write(ref _backendToClient, _backendToClient + bytes);
        }
    }
}
