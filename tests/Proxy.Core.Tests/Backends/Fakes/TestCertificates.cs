using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Proxy.Core.Tests.Backends.Fakes;

/// <summary>
/// A private CA (its certificate written to a temp PEM file) and backend certificates:
/// one it issued for localhost/127.0.0.1, one it issued for another name, and a self-signed one.
/// Made once per test run; ECDSA keeps that fast.
/// </summary>
internal sealed class TestCertificates
{
    private static readonly Lazy<TestCertificates> Instance = new(() => new TestCertificates());

    private TestCertificates()
    {
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=Proxy Test CA", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, false));
        Ca = caRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));

        CaPemPath = Path.Combine(Path.GetTempPath(), $"proxy-test-ca-{Guid.NewGuid():N}.pem");
        File.WriteAllText(CaPemPath, Ca.ExportCertificatePem());

        Server = Issue("CN=localhost", san => { san.AddDnsName("localhost"); san.AddIpAddress(IPAddress.Loopback); });
        OtherName = Issue("CN=other.example", san => san.AddDnsName("other.example"));

        using var selfKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var selfRequest = new CertificateRequest("CN=localhost", selfKey, HashAlgorithmName.SHA256);
        var selfSan = new SubjectAlternativeNameBuilder();
        selfSan.AddDnsName("localhost");
        selfSan.AddIpAddress(IPAddress.Loopback);
        selfRequest.CertificateExtensions.Add(selfSan.Build());
        using var selfSigned = selfRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        SelfSigned = Reload(selfSigned);
    }

    public static TestCertificates Shared => Instance.Value;

    public X509Certificate2 Ca { get; }

    /// <summary>The CA certificate as PEM, for <c>Tls:CaFile</c>.</summary>
    public string CaPemPath { get; }

    /// <summary>Issued by <see cref="Ca"/> for localhost and 127.0.0.1.</summary>
    public X509Certificate2 Server { get; }

    /// <summary>Issued by <see cref="Ca"/> for other.example only.</summary>
    public X509Certificate2 OtherName { get; }

    /// <summary>Self-signed for localhost and 127.0.0.1: trusted by nobody.</summary>
    public X509Certificate2 SelfSigned { get; }

    private X509Certificate2 Issue(string subject, Action<SubjectAlternativeNameBuilder> names)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        names(san);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, false));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var serial = RandomNumberGenerator.GetBytes(16);
        using var issued = request.Create(Ca, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(29), serial);
        using var withKey = issued.CopyWithPrivateKey(key);
        return Reload(withKey);
    }

    // A round trip through PKCS#12 gives a certificate whose key SslStream can use on every platform.
    private static X509Certificate2 Reload(X509Certificate2 certificate) =>
        X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null);
}
