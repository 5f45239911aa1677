using Proxy.Core.Configuration;
using Proxy.Core.Discovery;

namespace Proxy.Core.Backends;

/// <summary>
/// Step 5: walks the planned attempts in order (endpoint by endpoint, server by
/// server), connects, secures and logs in on the user's behalf. Returns the
/// first session that logged in, or why none did.
/// </summary>
public interface IBackendConnector
{
    Task<BackendConnectResult> ConnectAsync(
        MailProtocol protocol,
        IReadOnlyList<ConnectionAttempt> attempts,
        BackendCredentials credentials,
        CancellationToken cancellationToken);
}

/// <summary>What the proxy presents to the backend. <see cref="ToString"/> never shows the password.</summary>
public sealed record BackendCredentials(string UserName, string Password)
{
    /// <summary>The client behind the session, told to backends configured with <c>ForwardClientAddress</c>; null when unknown.</summary>
    public ForwardedClient? Client { get; init; }

    public override string ToString() => $"BackendCredentials {{ UserName = {UserName}, Password = ******** }}";
}

/// <summary>Either a logged-in session, or the failure that ended the walk.</summary>
public sealed record BackendConnectResult(BackendSession? Session, BackendFailureKind Failure)
{
    public static BackendConnectResult Success(BackendSession session) => new(session, BackendFailureKind.None);

    public static BackendConnectResult Failed(BackendFailureKind kind) => new(null, kind);
}

/// <summary>
/// Why one attempt (or the whole walk) failed. The kind decides what happens
/// next: <see cref="AuthRejected"/> stops the walk (a rejected password is never
/// retried elsewhere); every other kind moves on to the next method, then the
/// next server.
/// </summary>
public enum BackendFailureKind
{
    None,
    /// <summary>TCP connect refused, unreachable or reset.</summary>
    Connect,
    /// <summary>An attempt ran past its time, or the walk past its budget.</summary>
    Timeout,
    /// <summary>TLS handshake failed or the certificate was not trusted.</summary>
    Tls,
    /// <summary>No greeting, or a greeting that is not the protocol's (<c>* OK</c> / <c>+OK</c>), or BYE.</summary>
    BadGreeting,
    /// <summary>The method is STARTTLS but the backend does not offer it, or refused it.</summary>
    NoStartTls,
    /// <summary>The backend answered something the protocol does not allow.</summary>
    Protocol,
    /// <summary>The backend rejected the credentials.</summary>
    AuthRejected,
    /// <summary>The backend refused temporarily (IMAP [UNAVAILABLE], POP3 [SYS/TEMP], [IN-USE]).</summary>
    AuthTempFail,
    /// <summary>No attempt was possible: the plan was empty (e.g. plaintext forbidden and nothing else offered).</summary>
    NoEndpoints,
}
