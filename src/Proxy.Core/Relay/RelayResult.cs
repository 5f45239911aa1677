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
    /// <summary>The proxy ended it (shutdown, kick).</summary>
    Cancelled,
    /// <summary>A read or write failed (reset, TLS error).</summary>
    Faulted,
}

public sealed record RelayResult(RelayEnd End, long ClientToBackendBytes, long BackendToClientBytes);
