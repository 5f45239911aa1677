namespace Proxy.Core.Sessions;

/// <summary>
/// Why a login did not reach a relayed session. Each protocol phrases it for
/// the client (RFC 5530 codes for IMAP, RFC 2449/3206 for POP3); the log keeps
/// the real reason even where the client gets a generic answer.
/// </summary>
public enum LoginFailure
{
    /// <summary>Unknown user or wrong password (front end or backend said so).</summary>
    InvalidCredentials,
    /// <summary>Privileged account refused on this protocol; the client sees <see cref="InvalidCredentials"/>'s text.</summary>
    PrivilegedAccountDenied,
    /// <summary>Mailbox is in another site and AllowCrossSiteSessions is false (event 1008).</summary>
    CrossSiteDenied,
    /// <summary>No backend endpoint could be reached and logged in to within the budget.</summary>
    BackendUnavailable,
    /// <summary>The directory could not be asked.</summary>
    DirectoryUnavailable,
    /// <summary>The mailbox's database or server is missing from the topology.</summary>
    MailboxNotFound,
    /// <summary>Credentials offered before TLS where the login type requires TLS.</summary>
    PrivacyRequired,
    /// <summary>The user already has <c>MaxConnectionsPerUser</c> sessions of this protocol (event 1009): IMAP <c>NO [LIMIT]</c>, POP3 <c>-ERR [IN-USE]</c>.</summary>
    UserConnectionLimit,
    /// <summary>The login name from this address, or this address, is locked out by the brute-force protection; the password was not checked.</summary>
    LockedOut,
}
