using Proxy.Core.Relay;

namespace Proxy.Core.Sessions;

/// <summary>
/// What the client is told when the relay ends, if anything. A goodbye is added only
/// where it cannot corrupt the stream: after an idle timeout (nothing crossed), or when
/// the client has received whole responses only (IMAP; a half-written line or literal
/// just closes). POP3 has no unsolicited response: a POP3 relay that the proxy or the
/// backend ended just closes (an <c>-ERR</c> mid-reply would corrupt a multi-line answer).
/// </summary>
internal static class RelayGoodbye
{
    public const string IdleTimeout = "Disconnected for inactivity.";

    public const string BackendLost = "Connection to the mailbox server lost; please reconnect.";

    /// <param name="closeReason">Why the proxy asked the session to close, if it did.</param>
    /// <returns>The goodbye text (null: just close), and whether the backend went away unexpectedly.</returns>
    public static (string? Goodbye, bool BackendLost) Decide(RelayEnd end, RelayProgress progress, SessionCloseReason? closeReason)
    {
        switch (end)
        {
            case RelayEnd.IdleTimeout:
                // Both pumps have stopped and nothing crossed for the whole timeout: the POP3 -ERR fits too.
                return (IdleTimeout, false);
            case RelayEnd.Cancelled when closeReason is { } reason:
                return (progress.CanSayGoodbye ? reason.Goodbye() : null, false);
            case RelayEnd.BackendClosed or RelayEnd.BackendFaulted:
                // An IMAP backend that ends a session on purpose says BYE first (LOGOUT, its own shutdown);
                // POP3 gives no such sign, so only a broken connection counts as lost there.
                var lost = progress.Boundary is { } boundary ? !boundary.ServerSaidGoodbye : end == RelayEnd.BackendFaulted;
                return (lost && progress.CanSayGoodbye ? BackendLost : null, lost);
            default:
                return (null, false);
        }
    }
}
