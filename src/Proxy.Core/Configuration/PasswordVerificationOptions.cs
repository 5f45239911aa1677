namespace Proxy.Core.Configuration;

/// <summary>
/// The <c>Proxy:PasswordVerification</c> section. A PBKDF2 check costs about 0.3 s of CPU at
/// 600,000 iterations; without a bound a burst of logins (or of failed guesses) occupies every
/// thread-pool thread and the relays of logged-in sessions stall behind it.
/// </summary>
public sealed class PasswordVerificationOptions
{
    /// <summary>
    /// Password hashes computed at once (a cached success costs none). 0 means the processor
    /// count less one, at least 1, so a core stays free for the relays and TLS handshakes.
    /// Read at start.
    /// </summary>
    /// <remarks>Defaults to 0 (processors - 1).</remarks>
    public int MaxConcurrency { get; set; }

    /// <summary>How long a login waits for a free slot; then the client is told the service is temporarily unavailable.</summary>
    /// <remarks>Defaults to 10 seconds.</remarks>
    public TimeSpan QueueTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary><see cref="MaxConcurrency"/> with 0 resolved.</summary>
    public int EffectiveMaxConcurrency => MaxConcurrency > 0 ? MaxConcurrency : Math.Max(1, Environment.ProcessorCount - 1);
}
