using System.Net.Security;
using System.Security.Authentication;

namespace Proxy.Core.Listening;

/// <summary>Front-end TLS parameters shared by implicit TLS and STARTTLS.</summary>
internal static class TlsSettings
{
    /// <summary>TLS 1.2 and later only.</summary>
    public const SslProtocols FrontEndProtocols = SslProtocols.Tls12 | SslProtocols.Tls13;

    /// <summary>
    /// Mozilla's "intermediate" list: forward-secret key exchange and AEAD ciphers only. Without a
    /// policy OpenSSL's default list also offers static-RSA key exchange and CBC with SHA-1
    /// (Lucky13-class padding oracles, no forward secrecy), which every mail client of the TLS 1.2
    /// era can do without. Only Linux (OpenSSL) takes a policy; on Windows and macOS the
    /// system's TLS configuration decides. One shared instance, so OpenSSL contexts can be reused.
    /// </summary>
    private static readonly CipherSuitesPolicy? ModernCipherSuites = OperatingSystem.IsLinux()
        ? new CipherSuitesPolicy(
        [
            TlsCipherSuite.TLS_AES_128_GCM_SHA256,
            TlsCipherSuite.TLS_AES_256_GCM_SHA384,
            TlsCipherSuite.TLS_CHACHA20_POLY1305_SHA256,
            TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
            TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
            TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
            TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
            TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
            TlsCipherSuite.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
            TlsCipherSuite.TLS_DHE_RSA_WITH_AES_128_GCM_SHA256,
            TlsCipherSuite.TLS_DHE_RSA_WITH_AES_256_GCM_SHA384,
            TlsCipherSuite.TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
        ])
        : null;

    /// <param name="certificate">The certificate chosen for this handshake, its chain built once at load.</param>
    /// <param name="allowLegacyCipherSuites"><c>Proxy:Tls:AllowLegacyCipherSuites</c>: the platform's whole default list.</param>
    public static SslServerAuthenticationOptions ServerOptions(SslStreamCertificateContext certificate, bool allowLegacyCipherSuites) => new()
    {
        ServerCertificateContext = certificate,
        EnabledSslProtocols = FrontEndProtocols,
        ClientCertificateRequired = false,
        // Mail clients may offer ALPN ("imap", "pop3"); with a list set, a mismatch fails the handshake.
        ApplicationProtocols = null,
        CipherSuitesPolicy = allowLegacyCipherSuites ? null : ModernCipherSuites,
    };
}
