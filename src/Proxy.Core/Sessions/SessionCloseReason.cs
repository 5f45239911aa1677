namespace Proxy.Core.Sessions;

/// <summary>Why the proxy itself ends a session; decides the goodbye's wording and the metric label.</summary>
public enum SessionCloseReason
{
    /// <summary>The host is stopping (SIGTERM).</summary>
    Shutdown,
    /// <summary>An operator kicked the session's user (e.g. after a mailbox move).</summary>
    Kicked,
    /// <summary>An operator force-drained the session's backend.</summary>
    Drained,
    /// <summary>An operator closed this one session.</summary>
    Closed,
}

internal static class SessionCloseReasons
{
    /// <summary>What the client is told (IMAP <c>* BYE …</c>, POP3 <c>-ERR …</c> before login).</summary>
    public static string Goodbye(this SessionCloseReason reason) => reason switch
    {
        SessionCloseReason.Shutdown => "Server shutting down.",
        SessionCloseReason.Drained => "This server is going down for maintenance; please reconnect.",
        _ => "Session ended by the administrator; please reconnect.",
    };

    /// <summary>The metric label (<c>proxy.sessions.closed_by_proxy</c>).</summary>
    public static string MetricName(this SessionCloseReason reason) => reason switch
    {
        SessionCloseReason.Shutdown => "shutdown",
        SessionCloseReason.Kicked => "kick",
        SessionCloseReason.Drained => "drain",
        _ => "admin_close",
    };
}
