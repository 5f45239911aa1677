namespace Proxy.Core.Backends.Health;

/// <summary>One verdict on an endpoint from a probe or a session attempt.</summary>
/// <param name="Failure"><see cref="BackendFailureKind.None"/> for a success.</param>
/// <param name="Message">Why it failed; null on success.</param>
/// <param name="Latency">How long the probe took; null for session attempts.</param>
internal sealed record HealthObservation(HealthSource Source, BackendFailureKind Failure, string? Message, TimeSpan? Latency)
{
    public bool Succeeded => Failure == BackendFailureKind.None;

    /// <summary>
    /// A session attempt's verdict on its endpoint. Everything up to the login is the endpoint's
    /// business (connect, TLS, greeting, STARTTLS, capabilities); the login's answer is the user's:
    /// a rejected password or a "try later" proves the endpoint works, as a probe would.
    /// </summary>
    public static HealthObservation FromSession(BackendFailureKind kind, string? reason) =>
        kind is BackendFailureKind.None or BackendFailureKind.AuthRejected or BackendFailureKind.AuthTempFail
            ? new(HealthSource.Session, BackendFailureKind.None, null, null)
            : new(HealthSource.Session, kind, reason, null);
}
