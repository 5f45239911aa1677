using System.Net.Security;
using System.Security.Authentication;

namespace Proxy.Core.Listening;

/// <summary>Front-end TLS parameters shared by implicit TLS and STARTTLS.</summary>
internal static class TlsSettings
{
    /// <summary>TLS 1.2 and later only.</summary>
    public const SslProtocols FrontEndProtocols = SslProtocols.Tls12 | SslProtocols.Tls13;

    /// <summary>
    /// Forward-secret key exchange with AEAD ciphers only (Mozilla's "intermediate" list without
    /// DHE, which .NET does not set up). .NET's own default list on Linux already leaves out
    /// static RSA, SHA-1, 3DES and RC4, but still offers CBC with SHA-256/384 (the Lucky13 class
    /// of padding oracles), which no TLS 1.2 mail client needs when it has GCM or ChaCha20.
    /// Only Linux (OpenSSL) takes a policy; on Windows and macOS the system's TLS configuration
    /// decides. One shared instance, so that OpenSSL contexts can be reused across handshakes.
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
