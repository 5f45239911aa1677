namespace Proxy.Core.Directory;

/// <summary>
/// Front-end authentication (step 2 of the session). The file directory is the
/// default; LDAP/AD implements the same interface.
/// </summary>
public interface IUserDirectory
{
    /// <summary>
    /// Checks a login name (UPN, bare alias or DOMAIN\alias, case-insensitive) and password.
    /// Never throws for bad credentials; an unreachable directory is <see cref="DirectoryOutcome.Unavailable"/>.
    /// </summary>
    ValueTask<DirectoryResult> AuthenticateAsync(string loginName, string password, CancellationToken cancellationToken);
}

/// <summary>A user the directory knows: who they are and where their mailbox lives.</summary>
/// <param name="UserPrincipalName">Canonical name; also the name the proxy logs in with at the backend.</param>
/// <param name="Database">Name of the mailbox database.</param>
/// <param name="IsPrivileged">Administrator-like account (refused on POP3 by default).</param>
public sealed record MailboxUser(string UserPrincipalName, string Database, bool IsPrivileged);

public enum DirectoryOutcome
{
    Success,
    /// <summary>Unknown user or wrong password: the client must not be able to tell which.</summary>
    InvalidCredentials,
    /// <summary>The account exists but may not log in.</summary>
    Disabled,
    /// <summary>The directory could not be asked (LDAP down, file unreadable).</summary>
    Unavailable,
}

public sealed record DirectoryResult(DirectoryOutcome Outcome, MailboxUser? User)
{
    public static DirectoryResult Invalid { get; } = new(DirectoryOutcome.InvalidCredentials, null);

    public static DirectoryResult Ok(MailboxUser user) => new(DirectoryOutcome.Success, user);
}
