using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace Proxy.Core.Listening;

/// <summary>Front-end TLS parameters shared by implicit TLS and STARTTLS.</summary>
internal static class TlsSettings
{
    /// <summary>TLS 1.2 and later only.</summary>
    public const SslProtocols FrontEndProtocols = SslProtocols.Tls12 | SslProtocols.Tls13;

    public static SslServerAuthenticationOptions ServerOptions(X509Certificate2 certificate) => new()
    {
        ServerCertificate = certificate,
        EnabledSslProtocols = FrontEndProtocols,
        ClientCertificateRequired = false,
        // Mail clients may offer ALPN ("imap", "pop3"); with a list set, a mismatch fails the handshake.
        ApplicationProtocols = null,
    };
}
