using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Proxy.Core.Listening;

/// <summary>
/// A certificate as the handshakes use it. The <see cref="SslStreamCertificateContext"/> holds
/// the chain built once at load, so a handshake does not build it again.
/// </summary>
internal sealed class LoadedCertificate(X509Certificate2 certificate, SslStreamCertificateContext context)
{
    public X509Certificate2 Certificate { get; } = certificate;

    public SslStreamCertificateContext Context { get; } = context;

    public string Subject => Certificate.Subject;

    /// <summary>SHA-1, the thumbprint Exchange's Get-ExchangeCertificate and Windows show.</summary>
    public string Thumbprint => Certificate.Thumbprint;

    public DateTimeOffset NotAfter { get; } = new(certificate.NotAfter.ToUniversalTime());
}
