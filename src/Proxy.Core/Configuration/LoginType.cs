namespace Proxy.Core.Configuration;

/// <summary>Exchange's LoginType: when a client may present credentials.</summary>
public enum LoginType
{
    /// <summary>Clear-text credentials are accepted on a session that is not encrypted.</summary>
    PlainTextLogin,
    /// <summary>TLS is not required to connect, but credentials are accepted only after STARTTLS/STLS.</summary>
    PlainTextAuthentication,
    /// <summary>The default: TLS (implicit or STARTTLS) before any authentication.</summary>
    SecureLogin,
}
