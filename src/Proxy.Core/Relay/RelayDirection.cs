namespace Proxy.Core.Relay;

/// <summary>Which way relayed bytes went.</summary>
public enum RelayDirection
{
    ClientToBackend,
    BackendToClient,
}
