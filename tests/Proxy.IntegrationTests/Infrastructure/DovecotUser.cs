namespace Proxy.IntegrationTests.Infrastructure;

/// <summary>One mailbox on a <see cref="DovecotBackend"/>.</summary>
/// <param name="Name">Login name at the backend, usually the UPN (<c>alice@contoso.lab</c>).</param>
/// <param name="Password">Stored as <c>{PLAIN}</c>; anything but <c>:</c>, CR and LF.</param>
/// <param name="Database">Database name; the first message's Subject is <c>Welcome to {Database}</c>.</param>
/// <param name="MessageCount">Small messages in INBOX, the welcome message included; at least 1.</param>
/// <param name="LargeMessageBytes">When set, one more message of about this many bytes, last in INBOX.</param>
public sealed record DovecotUser(
    string Name,
    string Password,
    string Database,
    int MessageCount = 3,
    int? LargeMessageBytes = null);
