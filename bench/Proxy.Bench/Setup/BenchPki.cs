using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Proxy.Bench.Setup;

/// <summary>
/// The benchmark's certificates, made in process (no openssl needed): a CA and one RSA-2048
/// server certificate for localhost/127.0.0.1 that every TLS server of the run presents
/// (Dovecot, the proxy, nginx, the Dovecot proxy), so every system does the same crypto.
/// Kept in the run directory across runs.
/// </summary>
internal sealed record BenchPki(string CaPath, string CertificatePath, string KeyPath, string CertificateSha256)
{
    public static BenchPki LoadOrCreate(string directory)
    {
        System.IO.Directory.CreateDirectory(directory);
        var ca = Path.Combine(directory, "ca.pem");
        var cert = Path.Combine(directory, "cert.pem");
        var key = Path.Combine(directory, "key.pem");
        if (!File.Exists(ca) || !File.Exists(cert) || !File.Exists(key))
        {
            Create(ca, cert, key);
        }

        using var leaf = X509Certificate2.CreateFromPemFile(cert, key);
        if (leaf.NotAfter < DateTime.Now.AddDays(1))
        {
            Create(ca, cert, key);
            return LoadOrCreate(directory);
        }

        return new BenchPki(ca, cert, key, leaf.GetCertHashString(HashAlgorithmName.SHA256));
    }

    private static void Create(string caPath, string certPath, string keyPath)
    {
        using var caKey = RSA.Create(2048);
        var caRequest = new CertificateRequest("CN=Proxy Bench CA, O=Proxy Bench", caKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, false));
        var now = DateTimeOffset.UtcNow.AddMinutes(-5);
        using var caCert = caRequest.CreateSelfSigned(now, now.AddYears(2));

        using var leafKey = RSA.Create(2048);
        var leafRequest = new CertificateRequest("CN=localhost, O=Proxy Bench", leafKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        leafRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        leafRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        leafRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(System.Net.IPAddress.Loopback);
        leafRequest.CertificateExtensions.Add(names.Build());
        leafRequest.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(caCert, true, false));
        using var leaf = leafRequest.Create(caCert, now, now.AddYears(1), RandomNumberGenerator.GetBytes(16));

        File.WriteAllText(caPath, caCert.ExportCertificatePem() + "\n");
        File.WriteAllText(certPath, leaf.ExportCertificatePem() + "\n");
        File.WriteAllText(keyPath, leafKey.ExportPkcs8PrivateKeyPem() + "\n");
    }
}
