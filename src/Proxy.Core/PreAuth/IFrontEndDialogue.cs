using Proxy.Core.Backends;
using Proxy.Core.Listening;
using Proxy.Core.Sessions;

namespace Proxy.Core.PreAuth;

/// <summary>
/// The protocol-specific half of step 1: one instance per client session. It
/// greets, answers pre-auth commands (CAPABILITY, NOOP, ID, STARTTLS …) itself,
/// and hands credentials to the orchestrator, which alone decides what happens
/// next and tells the dialogue how to answer.
/// </summary>
public interface IFrontEndDialogue
{
    /// <summary>
    /// Runs the pre-auth dialogue (sending the greeting on the first call) until
    /// the client offers credentials. Returns null when the client logged out,
    /// disconnected, or must be dropped (the dialogue already said goodbye).
    /// </summary>
    ValueTask<LoginRequest?> ReadLoginAsync(CancellationToken cancellationToken);

    /// <summary>Answers the pending login with a failure; <paramref name="closing"/> adds the protocol's goodbye.</summary>
    ValueTask RejectLoginAsync(LoginFailure failure, bool closing, CancellationToken cancellationToken);

    /// <summary>
    /// Answers the pending login with success, after the backend accepted it:
    /// IMAP sends the backend's OK (with its capabilities) under the client's tag,
    /// POP3 sends the backend's +OK line.
    /// </summary>
    ValueTask AcceptLoginAsync(BackendSession backend, CancellationToken cancellationToken);

    /// <summary>Says the protocol's goodbye without a pending command (pre-auth timeout, shutdown).</summary>
    ValueTask SayGoodbyeAsync(string reason, CancellationToken cancellationToken);

    /// <summary>
    /// Refuses the connection in place of the greeting, as a temporary condition (IMAP
    /// <c>* BYE [UNAVAILABLE]</c>, RFC 5530; POP3 <c>-ERR [SYS/TEMP]</c>, RFC 3206). The caller then closes it.
    /// </summary>
    ValueTask RefuseConnectionAsync(ConnectionRefusal refusal, CancellationToken cancellationToken);
}
