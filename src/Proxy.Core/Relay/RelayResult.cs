namespace Proxy.Core.Relay;

/// <summary>How a relayed session ended, and what crossed it.</summary>
public enum RelayEnd
{
    /// <summary>The client closed its side (or the connection dropped).</summary>
    ClientClosed,
    /// <summary>The backend closed its side (logout, its own timeout, a crash).</summary>
    BackendClosed,
    /// <summary>Nothing crossed in either direction for the authenticated idle timeout.</summary>
    IdleTimeout,
    /// <summary>The proxy ended it (shutdown, kick, drain), at a response boundary when it could wait for one.</summary>
    Cancelled,
    /// <summary>A read from or write to the client failed (reset, TLS error).</summary>
    Faulted,
    /// <summary>A read from or write to the backend failed (reset, TLS error): it crashed or the network broke.</summary>
    BackendFaulted,
}

public sealed record RelayResult(RelayEnd End, long ClientToBackendBytes, long BackendToClientBytes);
