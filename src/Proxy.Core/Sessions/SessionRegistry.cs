using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.Logging;
using Proxy.Core.Backends.Drain;
using Proxy.Core.Configuration;
using Proxy.Core.Diagnostics;
using Proxy.Core.Listening;

namespace Proxy.Core.Sessions;

/// <summary>
/// Every live client session, from accept to close: what the admin API lists, and
/// how sessions are ended on purpose: one by id, all of a user's (kick), all on a
/// backend (force drain), or all of them on shutdown. Ending means "say goodbye
/// where the protocol allows it, then close": each session decides when its goodbye
/// fits (<see cref="LiveSession.Closing"/>), and is aborted after a grace if it never does.
/// </summary>
internal sealed partial class SessionRegistry : IDisposable
{
    /// <summary>
    /// How long a session asked to close by an operator may take to reach a point where its
    /// goodbye fits (an IMAP client in the middle of a large FETCH); then it is cut off.
    /// </summary>
    internal static readonly TimeSpan CloseGrace = TimeSpan.FromSeconds(5);

    private readonly ConcurrentDictionary<string, LiveSession> _sessions = new(StringComparer.Ordinal);
    private readonly TimeProvider _timeProvider;
    private readonly ProxyMetrics? _metrics;
    private readonly ILogger<SessionRegistry> _logger;
    private readonly Action<LiveSession> _remove;
    private ITimer? _shutdownTimer;
    private long _shutdownStarted;
    private int _shutdown;
    private int _shutdownDeadlinePassed;
    private int _shutdownCompleteLogged;

    public SessionRegistry(TimeProvider timeProvider, ILogger<SessionRegistry> logger, ProxyMetrics? metrics = null)
    {
        _timeProvider = timeProvider;
        _logger = logger;
        _metrics = metrics;
        _remove = Remove;
    }

    public int Count => _sessions.Count;

    /// <summary>True once the host began to stop: new sessions are told goodbye at once.</summary>
    public bool IsShuttingDown => Volatile.Read(ref _shutdown) != 0;

    /// <summary>The live sessions, oldest first. A snapshot: sessions may end while it is read.</summary>
    public IReadOnlyList<LiveSession> Sessions => [.. _sessions.Values.OrderBy(s => s.StartedAt).ThenBy(s => s.Id, StringComparer.Ordinal)];

    /// <summary>The live sessions in no order, without a copy: for counting them (the status API polls every 2 s).</summary>
    public IEnumerable<LiveSession> Unordered
    {
        get
        {
            foreach (var entry in _sessions)
            {
                yield return entry.Value;
            }
        }
    }

    /// <summary>Adds a session; disposing it removes it. During shutdown it is asked to close at once.</summary>
    public LiveSession Register(string id, MailProtocol protocol, EndPoint? client, MailListener? listener)
    {
        var session = new LiveSession(id, protocol, client, listener, _timeProvider.GetUtcNow(), _remove);
        if (!_sessions.TryAdd(id, session))
        {
            // Connection ids are unique per process; a clash is a bug, but must not hide either session.
            session = new LiveSession($"{id}#{Guid.NewGuid():N}", protocol, client, listener, _timeProvider.GetUtcNow(), _remove);
            _sessions[session.Id] = session;
        }

        // Checked after adding, so a shutdown that began meanwhile either saw this session or is seen here.
        if (IsShuttingDown)
        {
            session.RequestClose(SessionCloseReason.Shutdown, abortAfter: null, _timeProvider);
            if (Volatile.Read(ref _shutdownDeadlinePassed) != 0)
            {
                session.Abort(SessionCloseReason.Shutdown);
            }
        }

        return session;
    }

    /// <summary>Asks one session to close. False when no session has that id.</summary>
    public bool Close(string id)
    {
        if (!_sessions.TryGetValue(id, out var session))
        {
            return false;
        }

        Close(session, SessionCloseReason.Closed);
        return true;
    }

    /// <summary>Asks every session of the user (by UPN, case-insensitive) to close. Returns how many.</summary>
    public int Kick(string userPrincipalName)
    {
        var count = CloseWhere(s => string.Equals(s.User, userPrincipalName, StringComparison.OrdinalIgnoreCase), SessionCloseReason.Kicked);
        Log.UserKicked(_logger, userPrincipalName, count);
        return count;
    }

    /// <summary>Asks every session relayed to the server (or to one of its endpoints) to close. Returns how many.</summary>
    public int CloseOnBackend(string server, EndpointKey? endpoint) =>
        CloseWhere(s => IsOn(s, server, endpoint), SessionCloseReason.Drained);

    /// <summary>Sessions relayed to the server (or one of its endpoints) now.</summary>
    public int CountOnBackend(string server, EndpointKey? endpoint = null) => _sessions.Values.Count(s => IsOn(s, server, endpoint));

    /// <summary>
    /// Host shutdown: every session is asked to say goodbye (IMAP <c>* BYE</c> as soon as no response
    /// is half-written, POP3 <c>-ERR</c> before login; a POP3 transfer carries on); after
    /// <paramref name="drainTimeout"/> whatever is left is aborted. Returns at once.
    /// </summary>
    public void BeginShutdown(TimeSpan drainTimeout)
    {
        if (Interlocked.Exchange(ref _shutdown, 1) != 0)
        {
            return;
        }

        _shutdownStarted = _timeProvider.GetTimestamp();
        var open = _sessions.Values.ToList();
        Log.ShutdownDrainStarted(_logger, open.Count, drainTimeout);
        foreach (var session in open)
        {
            if (session.RequestClose(SessionCloseReason.Shutdown, abortAfter: null, _timeProvider))
            {
                _metrics?.SessionClosedByProxy(session.Protocol, SessionCloseReason.Shutdown.MetricName());
            }
        }

        LogIfDrained();
        var timer = _timeProvider.CreateTimer(static s => ((SessionRegistry)s!).AbortRemaining(), this, drainTimeout, Timeout.InfiniteTimeSpan);
        if (Interlocked.CompareExchange(ref _shutdownTimer, timer, null) is not null)
        {
            timer.Dispose();
        }
    }

    public void Dispose() => Interlocked.Exchange(ref _shutdownTimer, null)?.Dispose();

    private static bool IsOn(LiveSession session, string server, EndpointKey? endpoint) =>
        session.State == SessionState.Relaying
        && string.Equals(session.Server?.Name, server, StringComparison.OrdinalIgnoreCase)
        && (endpoint is not { } key || (session.Protocol == key.Protocol && session.Endpoint?.Method == key.Method));

    private int CloseWhere(Func<LiveSession, bool> match, SessionCloseReason reason)
    {
        var count = 0;
        foreach (var session in _sessions.Values)
        {
            if (match(session))
            {
                Close(session, reason);
                count++;
            }
        }

        return count;
    }

    private void Close(LiveSession session, SessionCloseReason reason)
    {
        // A POP3 session that is relaying can never be told goodbye (an unsolicited -ERR is not POP3):
        // waiting would only delay the close. Everything else gets the grace to reach a boundary.
        var grace = session.Protocol == MailProtocol.Pop3 && session.State == SessionState.Relaying ? TimeSpan.Zero : CloseGrace;
        if (session.RequestClose(reason, grace, _timeProvider))
        {
            _metrics?.SessionClosedByProxy(session.Protocol, reason.MetricName());
            Log.SessionClosing(_logger, session.Id, session.Protocol, session.User ?? "(not logged in)", reason);
        }
    }

    private void AbortRemaining()
    {
        Volatile.Write(ref _shutdownDeadlinePassed, 1);
        var left = _sessions.Values.ToList();
        if (left.Count > 0)
        {
            Log.ShutdownDrainTimedOut(_logger, left.Count, _timeProvider.GetElapsedTime(_shutdownStarted));
        }

        foreach (var session in left)
        {
            session.Abort(SessionCloseReason.Shutdown);
        }
    }

    private void Remove(LiveSession session)
    {
        _sessions.TryRemove(new KeyValuePair<string, LiveSession>(session.Id, session));
        if (IsShuttingDown)
        {
            LogIfDrained();
        }
    }

    private void LogIfDrained()
    {
        if (_sessions.IsEmpty && Interlocked.Exchange(ref _shutdownCompleteLogged, 1) == 0)
        {
            Log.ShutdownDrainCompleted(_logger, _timeProvider.GetElapsedTime(_shutdownStarted));
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 3550, EventName = nameof(EventIds.SessionClosing), Level = LogLevel.Information,
            Message = "Session {SessionId} ({Protocol}, user {User}) is being closed: {Reason}")]
        public static partial void SessionClosing(ILogger logger, string sessionId, MailProtocol protocol, string user, SessionCloseReason reason);

        [LoggerMessage(EventId = 3551, EventName = nameof(EventIds.UserKicked), Level = LogLevel.Information,
            Message = "User {User} kicked: {Count} session(s) closing")]
        public static partial void UserKicked(ILogger logger, string user, int count);

        [LoggerMessage(EventId = 3555, EventName = nameof(EventIds.ShutdownDrainStarted), Level = LogLevel.Information,
            Message = "Shutting down: {Count} session(s) told to end; waiting up to {Timeout} for them")]
        public static partial void ShutdownDrainStarted(ILogger logger, int count, TimeSpan timeout);

        [LoggerMessage(EventId = 3556, EventName = nameof(EventIds.ShutdownDrainCompleted), Level = LogLevel.Information,
            Message = "Shutting down: every session has ended ({Elapsed})")]
        public static partial void ShutdownDrainCompleted(ILogger logger, TimeSpan elapsed);

        [LoggerMessage(EventId = 3557, EventName = nameof(EventIds.ShutdownDrainTimedOut), Level = LogLevel.Warning,
            Message = "Shutting down: {Count} session(s) still open after {Elapsed}; closing them now")]
        public static partial void ShutdownDrainTimedOut(ILogger logger, int count, TimeSpan elapsed);
    }
}
