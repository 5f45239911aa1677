namespace Proxy.Bench.Client;

/// <summary>How the client side of a session is protected.</summary>
internal enum Security
{
    /// <summary>No TLS at all.</summary>
    Plain,

    /// <summary>STARTTLS (IMAP) / STLS (POP3) on the plain port before logging in.</summary>
    StartTls,

    /// <summary>TLS from the first byte (993/995 style).</summary>
    ImplicitTls,
}
