namespace Proxy.Core.Sessions;

/// <summary>
/// Credentials a client offered in its pre-auth dialogue. <see cref="ToString"/>
/// never shows the password, so a stray log call cannot leak it.
/// </summary>
/// <param name="Mechanism">How the client logged in: <c>LOGIN</c>, <c>PLAIN</c>, <c>USER</c> … (for logs and metrics).</param>
public sealed record LoginRequest(string UserName, string Password, string Mechanism)
{
    /// <summary>The fields of the client's IMAP ID command (RFC 2971) before it logged in; null when it sent none.</summary>
    public IReadOnlyList<KeyValuePair<string, string?>>? ClientId { get; init; }

    public override string ToString() => $"LoginRequest {{ UserName = {UserName}, Mechanism = {Mechanism}, Password = ******** }}";
}
