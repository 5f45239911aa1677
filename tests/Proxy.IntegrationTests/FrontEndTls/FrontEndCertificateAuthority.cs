using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Proxy.IntegrationTests.FrontEndTls;

/// <summary>
/// A throw-away CA for the proxy's own (front-end) certificates, and a folder to write them in
/// the forms operators use: PEM certificate + key, PEM with the key inside, PFX. RSA keys, so
/// that static-RSA cipher suites could be negotiated were they offered.
/// </summary>
public sealed class FrontEndCertificateAuthority : IDisposable
{
    private readonly X509Certificate2 _ca;

    public FrontEndCertificateAuthority()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=Front-end Test CA", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        _ca = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        File.WriteAllText(CaCertificatePath, _ca.ExportCertificatePem() + "\n");
    }

    public string Folder { get; } = Directory.CreateTempSubdirectory("proxy-frontend-tls-").FullName;

    /// <summary>PEM of the CA certificate, for <c>openssl s_client -CAfile</c>.</summary>
    public string CaCertificatePath => Path.Combine(Folder, "front-end-ca.pem");

    public string PathOf(string fileName) => Path.Combine(Folder, fileName);

    /// <summary>A server certificate with <c>CN=<paramref name="commonName"/></c> for <paramref name="dnsNames"/> (default: the common name) and 127.0.0.1.</summary>
    public X509Certificate2 Issue(string commonName, params string[] dnsNames)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={commonName}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(_ca, true, false));
        var names = new SubjectAlternativeNameBuilder();
        foreach (var name in dnsNames.DefaultIfEmpty(commonName))
        {
            names.AddDnsName(name);
        }

        names.AddIpAddress(System.Net.IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        using var issued = request.Create(_ca, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(29), RandomNumberGenerator.GetBytes(16));
        return issued.CopyWithPrivateKey(key);
    }

    /// <summary>Writes certificate and key as two PEM files named <c>{name}.crt</c> / <c>{name}.key</c>.</summary>
    public (string Certificate, string Key) WritePem(X509Certificate2 certificate, string name)
    {
        var paths = (PathOf($"{name}.crt"), PathOf($"{name}.key"));
        File.WriteAllText(paths.Item1, certificate.ExportCertificatePem() + "\n");
        File.WriteAllText(paths.Item2, KeyPem(certificate));
        return paths;
    }

    /// <summary>Certificate and key in one PEM file, <paramref name="fileName"/>.</summary>
    public string WriteCombinedPem(X509Certificate2 certificate, string fileName)
    {
        var path = PathOf(fileName);
        File.WriteAllText(path, certificate.ExportCertificatePem() + "\n" + KeyPem(certificate));
        return path;
    }

    public string WritePfx(X509Certificate2 certificate, string name, string password)
    {
        var path = PathOf($"{name}.pfx");
        File.WriteAllBytes(path, certificate.Export(X509ContentType.Pkcs12, password));
        return path;
    }

    /// <summary>For MailKit: the chain must end at this CA and the name match; the system store does not hold the CA.</summary>
    public bool Validate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (certificate is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None)
        {
            return false;
        }

        using var leaf = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        using var custom = new X509Chain();
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.CustomTrustStore.Add(_ca);
        custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return custom.Build(leaf);
    }

    public void Dispose()
    {
        _ca.Dispose();
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder must not fail a test run.
        }
    }

    private static string KeyPem(X509Certificate2 certificate) => certificate.GetRSAPrivateKey()!.ExportPkcs8PrivateKeyPem() + "\n";
}
