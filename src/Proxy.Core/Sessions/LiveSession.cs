using System.Net;
using Proxy.Core.Backends;
using Proxy.Core.Configuration;
using Proxy.Core.Discovery;
using Proxy.Core.Listening;
using Proxy.Core.Relay;

namespace Proxy.Core.Sessions;

/// <summary>
/// One live client session as the <see cref="SessionRegistry"/> sees it: who, from
/// where, to which backend, and the two tokens that end it. Kept small on purpose:
/// an idle IMAP client holds one of these for hours, so it holds references to
/// objects the session has anyway and nothing per byte.
/// </summary>
internal sealed class LiveSession : IDisposable
{
    private readonly CancellationTokenSource _closing = new();
    private readonly CancellationTokenSource _abort = new();
    private readonly Action<LiveSession>? _removed;
    private ITimer? _abortTimer;
    private int _state;
    private int _closeReason = -1;
    private int _disposed;

    public LiveSession(string id, MailProtocol protocol, EndPoint? client, MailListener? listener, DateTimeOffset startedAt, Action<LiveSession>? removed = null)
    {
        Id = id;
        Protocol = protocol;
        Client = client;
        Listener = listener;
        StartedAt = startedAt;
        _removed = removed;
    }

    public string Id { get; }

    public MailProtocol Protocol { get; }

    public EndPoint? Client { get; }

    /// <summary>The listener the client came in on; null in tests that run a session without one.</summary>
    public MailListener? Listener { get; }

    public DateTimeOffset StartedAt { get; }

    public SessionState State => (SessionState)Volatile.Read(ref _state);

    /// <summary>The user's UPN, once the backend accepted the login.</summary>
    public string? User { get; private set; }

    public BackendServer? Server { get; private set; }

    public BackendEndpoint? Endpoint { get; private set; }

    /// <summary>Bytes each way and the client's response boundary, while relaying.</summary>
    public RelayProgress? Traffic { get; private set; }

    /// <summary>Why the proxy is ending the session; null while nobody asked.</summary>
    public SessionCloseReason? CloseReason => Volatile.Read(ref _closeReason) is var reason and >= 0 ? (SessionCloseReason)reason : null;

    /// <summary>
    /// Fires when the session should say goodbye and end as soon as that is protocol-correct:
    /// at once before login, at the next response boundary while relaying. Also fires on abort.
    /// </summary>
    public CancellationToken Closing => _closing.Token;

    /// <summary>Fires when the session must end now, mid-response or not.</summary>
    public CancellationToken Aborted => _abort.Token;

    public void LoggingIn() => Volatile.Write(ref _state, (int)SessionState.LoggingIn);

    /// <summary>Back to step 1 after a refused login.</summary>
    public void LoginFailed() => Volatile.Write(ref _state, (int)SessionState.PreAuth);

    public void Relaying(string user, BackendSession backend, RelayProgress traffic)
    {
        User = user;
        Server = backend.Server;
        Endpoint = backend.Endpoint;
        Traffic = traffic;
        Volatile.Write(ref _state, (int)SessionState.Relaying);
    }

    /// <summary>
    /// Asks the session to say goodbye and end. After <paramref name="abortAfter"/> (null: never
    /// by itself) it is aborted whatever it is doing. The first reason given is the one the client hears.
    /// </summary>
    /// <returns>True when this call started the close; false when it was already closing or is gone.</returns>
    public bool RequestClose(SessionCloseReason reason, TimeSpan? abortAfter, TimeProvider timeProvider)
    {
        var first = Interlocked.CompareExchange(ref _closeReason, (int)reason, -1) == -1;
        if (Volatile.Read(ref _disposed) != 0)
        {
            return false;
        }

        Cancel(_closing);
        if (abortAfter is { } delay)
        {
            if (delay <= TimeSpan.Zero)
            {
                Abort(reason);
            }
            else if (first)
            {
                var timer = timeProvider.CreateTimer(static s => ((LiveSession)s!).Abort(SessionCloseReason.Closed), this, delay, Timeout.InfiniteTimeSpan);
                if (Interlocked.CompareExchange(ref _abortTimer, timer, null) is not null || Volatile.Read(ref _disposed) != 0)
                {
                    timer.Dispose();
                }
            }
        }

        return first;
    }

    /// <summary>Ends the session now; a goodbye is still written where nothing is half-written.</summary>
    public void Abort(SessionCloseReason reason)
    {
        Interlocked.CompareExchange(ref _closeReason, (int)reason, -1);
        Cancel(_closing);
        Cancel(_abort);
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _removed?.Invoke(this);
        Interlocked.Exchange(ref _abortTimer, null)?.Dispose();
        _closing.Dispose();
        _abort.Dispose();
    }

    private static void Cancel(CancellationTokenSource source)
    {
        try
        {
            source.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The session ended while it was being closed: nothing left to end.
        }
    }
}
