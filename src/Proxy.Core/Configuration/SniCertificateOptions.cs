namespace Proxy.Core.Configuration;

/// <summary>One entry of <c>Proxy:Tls:Certificates</c>: a certificate for the host names a client may ask for.</summary>
public sealed class SniCertificateOptions
{
    /// <summary>
    /// Names (SNI) this certificate answers: exact (<c>mail.contoso.com</c>) or a wildcard of one
    /// leftmost label (<c>*.contoso.com</c> matches <c>imap.contoso.com</c>, not <c>contoso.com</c>
    /// nor <c>a.b.contoso.com</c>). An exact name wins over a wildcard. ASCII (<c>xn--</c>) form.
    /// </summary>
    public List<string> HostNames { get; set; } = [];

    /// <summary>PEM certificate (with <see cref="KeyFile"/>, or holding the key) or PFX file.</summary>
    public string? CertificateFile { get; set; }

    /// <summary>PEM private key, when <see cref="CertificateFile"/> is PEM and does not hold the key.</summary>
    public string? KeyFile { get; set; }

    /// <summary>Password of a PFX file, or of an encrypted PEM private key.</summary>
    public string? Password { get; set; }
}
