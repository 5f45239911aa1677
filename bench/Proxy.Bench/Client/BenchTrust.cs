using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace Proxy.Bench.Client;

/// <summary>
/// Client TLS settings: trust exactly the benchmark's own certificate (by SHA-256 pin, so no
/// system trust store is touched and nothing else is accepted), TLS 1.2+, and no session
/// resumption, so every login pays a full handshake on every system alike.
/// </summary>
internal sealed class BenchTrust(string certificateSha256)
{
    public SslClientAuthenticationOptions ClientOptions() => new()
    {
        TargetHost = "localhost",
        EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
        AllowTlsResume = false,
        RemoteCertificateValidationCallback = Validate,
    };

    private bool Validate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors) =>
        certificate is not null &&
        string.Equals(certificate.GetCertHashString(System.Security.Cryptography.HashAlgorithmName.SHA256), certificateSha256, StringComparison.OrdinalIgnoreCase);
}
