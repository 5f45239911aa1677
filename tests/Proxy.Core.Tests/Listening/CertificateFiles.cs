using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Proxy.Core.Tests.Listening;

/// <summary>
/// Certificates for the front-end TLS tests, written the ways operators hand them over:
/// PEM with a separate key, PEM with the key inside, encrypted PEM, PFX. ECDSA keeps it fast.
/// A temporary folder per instance, deleted on dispose.
/// </summary>
internal sealed class CertificateFiles : IDisposable
{
    public string Folder { get; } = System.IO.Directory.CreateTempSubdirectory("proxy-tls-unit-").FullName;

    public string PathOf(string name) => Path.Combine(Folder, name);

    /// <summary>A self-signed server certificate for <paramref name="dnsNames"/>, valid from a day before <paramref name="now"/> (a negative <paramref name="validFor"/> gives an expired one).</summary>
    public static X509Certificate2 Issue(string commonName, DateTimeOffset now, TimeSpan validFor, params string[] dnsNames)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={commonName}", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        foreach (var name in dnsNames.DefaultIfEmpty(commonName))
        {
            san.AddDnsName(name);
        }

        request.CertificateExtensions.Add(san.Build());
        var notAfter = now + validFor;
        return request.CreateSelfSigned(notAfter < now ? notAfter.AddDays(-30) : now.AddDays(-1), notAfter);
    }

    /// <summary>A CA, an intermediate it signed, and a leaf the intermediate signed.</summary>
    public static (X509Certificate2 Leaf, X509Certificate2 Intermediate) IssueWithIntermediate(string commonName, DateTimeOffset now)
    {
        using var rootKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var rootRequest = new CertificateRequest("CN=Unit Root", rootKey, HashAlgorithmName.SHA256);
        rootRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using var root = rootRequest.CreateSelfSigned(now.AddDays(-2), now.AddDays(60));

        using var intermediateKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var intermediateRequest = new CertificateRequest("CN=Unit Intermediate", intermediateKey, HashAlgorithmName.SHA256);
        intermediateRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using var intermediatePublic = intermediateRequest.Create(root, now.AddDays(-2), now.AddDays(50), RandomNumberGenerator.GetBytes(8));
        var intermediate = intermediatePublic.CopyWithPrivateKey(intermediateKey);

        using var leafKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var leafRequest = new CertificateRequest($"CN={commonName}", leafKey, HashAlgorithmName.SHA256);
        using var leafPublic = leafRequest.Create(intermediate, now.AddDays(-1), now.AddDays(30), RandomNumberGenerator.GetBytes(8));
        return (leafPublic.CopyWithPrivateKey(leafKey), intermediate);
    }

    /// <summary>Certificate and key in two PEM files; returns their paths.</summary>
    public (string Certificate, string Key) WritePem(X509Certificate2 certificate, string name)
    {
        var (certificatePath, keyPath) = (PathOf($"{name}.crt"), PathOf($"{name}.key"));
        File.WriteAllText(certificatePath, certificate.ExportCertificatePem() + "\n");
        File.WriteAllText(keyPath, KeyPem(certificate));
        return (certificatePath, keyPath);
    }

    /// <summary>Certificate, extra certificates (the chain) and key in one PEM file.</summary>
    public string WriteCombinedPem(X509Certificate2 certificate, string name, params X509Certificate2[] chain)
    {
        var path = PathOf($"{name}.pem");
        File.WriteAllText(path, certificate.ExportCertificatePem() + "\n" + string.Concat(chain.Select(c => c.ExportCertificatePem() + "\n")) + KeyPem(certificate));
        return path;
    }

    /// <summary>Certificate PEM and a key PEM encrypted with <paramref name="password"/>.</summary>
    public (string Certificate, string Key) WriteEncryptedPem(X509Certificate2 certificate, string name, string password)
    {
        var (certificatePath, keyPath) = (PathOf($"{name}.crt"), PathOf($"{name}.key"));
        File.WriteAllText(certificatePath, certificate.ExportCertificatePem() + "\n");
        var parameters = new PbeParameters(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, 1000);
        File.WriteAllText(keyPath, certificate.GetECDsaPrivateKey()!.ExportEncryptedPkcs8PrivateKeyPem(password, parameters) + "\n");
        return (certificatePath, keyPath);
    }

    public string WritePfx(X509Certificate2 certificate, string name, string? password)
    {
        var path = PathOf($"{name}.pfx");
        File.WriteAllBytes(path, certificate.Export(X509ContentType.Pkcs12, password));
        return path;
    }

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder must not fail a test.
        }
    }

    private static string KeyPem(X509Certificate2 certificate) => certificate.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem() + "\n";
}
