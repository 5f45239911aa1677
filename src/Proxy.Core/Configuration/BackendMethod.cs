namespace Proxy.Core.Configuration;

/// <summary>How the proxy secures one backend connection attempt.</summary>
public enum BackendMethod
{
    /// <summary>Implicit TLS: the TLS handshake starts right after the TCP connect (993/995).</summary>
    Ssl,
    /// <summary>Plain port, then STARTTLS (IMAP) / STLS (POP3) before any credentials are sent.</summary>
    StartTls,
    /// <summary>Plain port, no TLS at all. Forbidden unless <c>Backends:AllowPlaintext</c> is true.</summary>
    Plain,
}
