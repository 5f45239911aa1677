using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Proxy.IntegrationTests.Infrastructure;

/// <summary>
/// A throw-away certificate authority and one server certificate for <c>localhost</c>,
/// <c>127.0.0.1</c> and <c>::1</c>, written as PEM files into a temporary directory
/// so that Dovecot (files) and .NET (objects) can both use them.
/// </summary>
public sealed class TestPki : IDisposable
{
    private TestPki(string directory, X509Certificate2 caCertificate, X509Certificate2 serverCertificate)
    {
        DirectoryPath = directory;
        CaCertificate = caCertificate;
        ServerCertificate = serverCertificate;
    }

    /// <summary>The temporary directory holding the PEM files; deleted on dispose.</summary>
    public string DirectoryPath { get; }

    /// <summary>PEM of the CA certificate (trust anchor for clients).</summary>
    public string CaCertificatePath => Path.Combine(DirectoryPath, "ca.pem");

    /// <summary>PEM of the server certificate (leaf only).</summary>
    public string CertificatePath => Path.Combine(DirectoryPath, "cert.pem");

    /// <summary>PEM (PKCS#8, unencrypted) of the server certificate's private key.</summary>
    public string KeyPath => Path.Combine(DirectoryPath, "key.pem");

    /// <summary>The CA certificate, without its private key.</summary>
    public X509Certificate2 CaCertificate { get; }

    /// <summary>The server certificate with its private key, for in-process TLS servers.</summary>
    public X509Certificate2 ServerCertificate { get; }

    public static TestPki Create()
    {
        var directory = Directory.CreateTempSubdirectory("proxy-pki-").FullName;
        var notBefore = DateTimeOffset.UtcNow.AddDays(-1);
        var notAfter = DateTimeOffset.UtcNow.AddDays(30);

        using var caKey = RSA.Create(2048);
        var caRequest = new CertificateRequest("CN=Proxy Test CA, O=Proxy tests", caKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, false));
        using var caWithKey = caRequest.CreateSelfSigned(notBefore, notAfter.AddDays(1));

        using var serverKey = RSA.Create(2048);
        var serverRequest = new CertificateRequest("CN=localhost", serverKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        serverRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        serverRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        serverRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        serverRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(serverRequest.PublicKey, false));
        serverRequest.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(caWithKey, true, false));
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        names.AddIpAddress(IPAddress.IPv6Loopback);
        serverRequest.CertificateExtensions.Add(names.Build());
        using var serverPublic = serverRequest.Create(caWithKey, notBefore, notAfter, RandomNumberGenerator.GetBytes(16));

        File.WriteAllText(Path.Combine(directory, "ca.pem"), caWithKey.ExportCertificatePem() + "\n");
        File.WriteAllText(Path.Combine(directory, "cert.pem"), serverPublic.ExportCertificatePem() + "\n");
        File.WriteAllText(Path.Combine(directory, "key.pem"), serverKey.ExportPkcs8PrivateKeyPem() + "\n");

        var caCertificate = X509CertificateLoader.LoadCertificate(caWithKey.RawData);
        var serverCertificate = serverPublic.CopyWithPrivateKey(serverKey);
        return new TestPki(directory, caCertificate, serverCertificate);
    }

    /// <summary>
    /// A <see cref="RemoteCertificateValidationCallback"/> that trusts exactly this CA:
    /// the name must match and the chain must end at <see cref="CaCertificate"/>.
    /// The system's own chain verdict is ignored because the CA is not in the system store.
    /// </summary>
    public bool ValidateServerCertificate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (certificate is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None)
        {
            return false;
        }

        using var leaf = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        using var custom = new X509Chain();
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.CustomTrustStore.Add(CaCertificate);
        custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return custom.Build(leaf);
    }

    public void Dispose()
    {
        CaCertificate.Dispose();
        ServerCertificate.Dispose();
        try
        {
            Directory.Delete(DirectoryPath, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp directory must not fail a test run.
        }
    }
}
