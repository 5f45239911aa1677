using Microsoft.Extensions.Logging;

namespace Proxy.Core.Diagnostics.Status;

/// <summary>One refusal or error the proxy logged, as the dashboard lists it.</summary>
/// <param name="Kind"><see cref="RecentEventKind.Refusal"/> when a client was refused, otherwise <see cref="RecentEventKind.Error"/>.</param>
/// <param name="Protocol"><c>imap</c> or <c>pop3</c> when the event names one.</param>
/// <param name="User">The login name or UPN the event names, if any.</param>
/// <param name="Client">The client's address the event names, if any (without its port).</param>
/// <param name="Server">The backend server the event names, if any.</param>
/// <param name="Message">The formatted log message (log messages never hold a password).</param>
public sealed record RecentEvent(
    DateTimeOffset At,
    RecentEventKind Kind,
    int EventId,
    string? EventName,
    LogLevel Level,
    string? Protocol,
    string? User,
    string? Client,
    string? Server,
    string Message);

/// <summary>What a recent event says about the proxy.</summary>
public enum RecentEventKind
{
    /// <summary>A client was refused: cross-site, privileged, bad credentials, a limit, a lockout, privacy required.</summary>
    Refusal,

    /// <summary>Anything else at Warning or above: a backend unavailable, a failed attempt, a refused reload…</summary>
    Error,
}
