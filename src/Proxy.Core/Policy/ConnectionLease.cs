namespace Proxy.Core.Policy;

/// <summary>A counted connection or session; disposing it gives its place back, once, however often it is disposed.</summary>
internal sealed class ConnectionLease(Action release) : IDisposable
{
    private Action? _release = release;

    public void Dispose() => Interlocked.Exchange(ref _release, null)?.Invoke();
}
