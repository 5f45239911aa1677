namespace Proxy.IntegrationTests.Infrastructure;

/// <summary>What one isolated Dovecot instance should look like.</summary>
public sealed class DovecotBackendOptions
{
    /// <summary>Shown in the greeting (<c>* OK [...] {InstanceName} ready.</c>) and in the temp directory name.</summary>
    public string InstanceName { get; init; } = "backend";

    public IReadOnlyList<DovecotUser> Users { get; init; } = [];

    public DovecotListeners Listeners { get; init; } = DovecotListeners.All;

    /// <summary>
    /// Sets Dovecot's <c>disable_plaintext_auth = no</c> (default: yes, login only after TLS).
    /// Caveat: Dovecot treats a client whose address equals the listening address as secured,
    /// so a client on 127.0.0.1 talking to 127.0.0.1 may log in before STARTTLS and sees no
    /// LOGINDISABLED either way. Use <see cref="DovecotListeners.ImapPlainOnly"/> /
    /// <see cref="DovecotListeners.Pop3PlainOnly"/> to get a backend without STARTTLS.
    /// </summary>
    public bool AllowPlaintextAuth { get; init; }

    /// <summary>
    /// Dovecot's <c>login_trusted_networks</c> (e.g. <c>127.0.0.0/8</c>): clients there may
    /// tell their client's address (IMAP ID x-originating-ip, POP3 XCLIENT). Null: none.
    /// </summary>
    public string? LoginTrustedNetworks { get; init; }

    /// <summary>Certificate and key for the SSL and STARTTLS listeners.</summary>
    public required TestPki Pki { get; init; }

    /// <summary>How long to wait for every listener to greet.</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(15);

    public string DovecotPath { get; init; } = "/usr/sbin/dovecot";
}
