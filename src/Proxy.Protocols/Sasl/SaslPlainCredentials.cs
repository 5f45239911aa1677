namespace Proxy.Protocols.Sasl;

/// <summary>A decoded PLAIN message. <see cref="ToString"/> never shows the password.</summary>
/// <param name="AuthorizationId">The identity to act as; empty when the client asks for its own.</param>
public sealed record SaslPlainCredentials(string AuthorizationId, string UserName, string Password)
{
    public override string ToString() => $"SaslPlainCredentials {{ AuthorizationId = {AuthorizationId}, UserName = {UserName}, Password = ******** }}";
}
