namespace Proxy.Core.Directory;

/// <summary>
/// One user of the file directory. A record so that two loads of an unchanged
/// entry compare equal: the success cache survives a reload for users whose
/// entry did not change and drops the others.
/// </summary>
internal sealed record DirectoryUser(
    string UserPrincipalName,
    string PasswordHash,
    string Database,
    bool Privileged,
    bool Disabled)
{
    public MailboxUser ToMailboxUser() => new(UserPrincipalName, Database, Privileged);
}
