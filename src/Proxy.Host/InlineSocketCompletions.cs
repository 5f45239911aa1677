namespace Proxy.Host;

/// <summary>
/// Runs socket completions on the socket engine's own event threads (one per core) instead of
/// queueing each to the thread pool: a relayed chunk then goes from the backend's receive to the
/// client's send on one thread, the model of nginx and HAProxy. Without it, thread-pool workers
/// spin between the chunks of a bulk transfer and a backend read costs a hop; measured with the
/// benchmark: plaintext relay CPU per GB -30 % (IMAP) and -55 % (POP3), TLS to the backend -35 %,
/// NOOP round trip no worse, CPU per login no worse (docs/performance.md, finding 12).
/// <para>
/// The runtime reads the switch once, when its socket engine starts, so it is set before the host
/// opens any socket. Work that would hold an event thread runs elsewhere: password hashing on the
/// pool (PasswordVerificationGate), configuration and directory reloads on their own callbacks.
/// An operator can still turn it off with <c>DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=0</c>.
/// </para>
/// </summary>
internal static class InlineSocketCompletions
{
    public const string Variable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    /// <summary>Turns inline completions on unless the environment already says either way; returns whether they are on.</summary>
    public static bool Prefer()
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(Variable)))
        {
            Environment.SetEnvironmentVariable(Variable, "1");
        }

        return Environment.GetEnvironmentVariable(Variable) == "1";
    }
}
