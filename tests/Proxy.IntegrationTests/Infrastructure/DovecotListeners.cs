namespace Proxy.IntegrationTests.Infrastructure;

/// <summary>Which listeners a <see cref="DovecotBackend"/> opens, each on its own free port.</summary>
/// <remarks>
/// A plain port without STARTTLS needs <c>ssl = no</c> for the whole protocol in Dovecot,
/// so it cannot be combined with the SSL port or a STARTTLS port of the same protocol.
/// </remarks>
[Flags]
public enum DovecotListeners
{
    None = 0,

    /// <summary>IMAP plain port offering STARTTLS (143 style).</summary>
    ImapStartTls = 1,

    /// <summary>IMAP plain port without STARTTLS.</summary>
    ImapPlainOnly = 2,

    /// <summary>IMAP implicit-TLS port (993 style).</summary>
    ImapSsl = 4,

    /// <summary>POP3 plain port offering STLS (110 style).</summary>
    Pop3StartTls = 8,

    /// <summary>POP3 plain port without STLS.</summary>
    Pop3PlainOnly = 16,

    /// <summary>POP3 implicit-TLS port (995 style).</summary>
    Pop3Ssl = 32,

    /// <summary>What every lab backend offers: a STARTTLS port and an SSL port per protocol.</summary>
    All = ImapStartTls | ImapSsl | Pop3StartTls | Pop3Ssl,
}
