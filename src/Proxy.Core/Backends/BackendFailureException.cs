namespace Proxy.Core.Backends;

/// <summary>
/// Ends one backend attempt with a <see cref="BackendFailureKind"/>: the kind decides
/// whether the connector moves on or stops. The message is logged, so it never
/// holds credentials.
/// </summary>
internal sealed class BackendFailureException(BackendFailureKind kind, string message, Exception? innerException = null)
    : Exception(message, innerException)
{
    public BackendFailureKind Kind { get; } = kind;
}
