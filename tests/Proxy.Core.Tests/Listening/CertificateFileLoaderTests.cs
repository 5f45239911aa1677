using Proxy.Core.Listening;

namespace Proxy.Core.Tests.Listening;

public sealed class CertificateFileLoaderTests : IDisposable
{
    private const string Password = "pfx-Secret-42!";

    private readonly CertificateFiles _files = new();
    private readonly DateTimeOffset _now = DateTimeOffset.UtcNow;

    [Fact]
    public void Load_PemWithSeparateKeyFile_CertificateWithKey()
    {
        using var issued = CertificateFiles.Issue("pem.test", _now, TimeSpan.FromDays(30));
        var (certificate, key) = _files.WritePem(issued, "pem");

        var loaded = CertificateFileLoader.Load("Proxy:Tls", certificate, key, null);

        Assert.Equal(issued.Thumbprint, loaded.Thumbprint);
        Assert.True(loaded.Certificate.HasPrivateKey);
        Assert.Same(loaded.Certificate, loaded.Context.TargetCertificate);
    }

    [Fact]
    public void Load_PemWithKeyInSameFile_CertificateWithKey()
    {
        using var issued = CertificateFiles.Issue("combined.test", _now, TimeSpan.FromDays(30));
        var path = _files.WriteCombinedPem(issued, "combined");

        var loaded = CertificateFileLoader.Load("Proxy:Tls", path, null, null);

        Assert.Equal(issued.Thumbprint, loaded.Thumbprint);
        Assert.True(loaded.Certificate.HasPrivateKey);
    }

    [Fact]
    public void Load_PemFullChain_IntermediateSentAsChain()
    {
        var (leaf, intermediate) = CertificateFiles.IssueWithIntermediate("chain.test", _now);
        using (leaf)
        using (intermediate)
        {
            var path = _files.WriteCombinedPem(leaf, "fullchain", intermediate);

            var loaded = CertificateFileLoader.Load("Proxy:Tls", path, null, null);

            Assert.Equal(leaf.Thumbprint, loaded.Thumbprint);
            Assert.Contains(loaded.Context.IntermediateCertificates, c => c.Thumbprint == intermediate.Thumbprint);
        }
    }

    [Fact]
    public void Load_EncryptedPemKeyWithPassword_CertificateWithKey()
    {
        using var issued = CertificateFiles.Issue("encrypted.test", _now, TimeSpan.FromDays(30));
        var (certificate, key) = _files.WriteEncryptedPem(issued, "encrypted", Password);

        var loaded = CertificateFileLoader.Load("Proxy:Tls", certificate, key, Password);

        Assert.Equal(issued.Thumbprint, loaded.Thumbprint);
        Assert.True(loaded.Certificate.HasPrivateKey);
    }

    [Fact]
    public void Load_PfxWithPassword_CertificateWithKey()
    {
        using var issued = CertificateFiles.Issue("pfx.test", _now, TimeSpan.FromDays(30));
        var path = _files.WritePfx(issued, "pfx", Password);

        var loaded = CertificateFileLoader.Load("Proxy:Tls", path, null, Password);

        Assert.Equal(issued.Thumbprint, loaded.Thumbprint);
        Assert.True(loaded.Certificate.HasPrivateKey);
    }

    [Fact]
    public void Load_PfxWrongPassword_ErrorNamesKeyAndFileNotPassword()
    {
        using var issued = CertificateFiles.Issue("pfx.test", _now, TimeSpan.FromDays(30));
        var path = _files.WritePfx(issued, "pfx", Password);

        var error = Assert.Throws<CertificateLoadException>(() => CertificateFileLoader.Load("Proxy:Tls:Certificates:3", path, null, "wrong-" + Password));

        Assert.Equal("Proxy:Tls:Certificates:3:CertificateFile", error.Key);
        Assert.StartsWith($"Proxy:Tls:Certificates:3:CertificateFile: cannot load '{path}'", error.Message);
        Assert.DoesNotContain(Password, error.Message);
    }

    [Fact]
    public void Load_CertificateFileMissing_ErrorNamesCertificateFileKey()
    {
        var missing = _files.PathOf("missing.pem");

        var error = Assert.Throws<CertificateLoadException>(() => CertificateFileLoader.Load("Proxy:Tls", missing, null, null));

        Assert.Equal("Proxy:Tls:CertificateFile", error.Key);
        Assert.Equal(missing, error.File);
    }

    [Fact]
    public void Load_KeyFileMissing_ErrorNamesKeyFileKey()
    {
        using var issued = CertificateFiles.Issue("pem.test", _now, TimeSpan.FromDays(30));
        var (certificate, _) = _files.WritePem(issued, "pem");
        var missing = _files.PathOf("missing.key");

        var error = Assert.Throws<CertificateLoadException>(() => CertificateFileLoader.Load("Proxy:Tls", certificate, missing, null));

        Assert.Equal("Proxy:Tls:KeyFile", error.Key);
        Assert.Equal(missing, error.File);
    }

    [Fact]
    public void Load_KeyOfAnotherCertificate_ErrorNamesBothFiles()
    {
        using var first = CertificateFiles.Issue("first.test", _now, TimeSpan.FromDays(30));
        using var second = CertificateFiles.Issue("second.test", _now, TimeSpan.FromDays(30));
        var (certificate, _) = _files.WritePem(first, "first");
        var (_, otherKey) = _files.WritePem(second, "second");

        var error = Assert.Throws<CertificateLoadException>(() => CertificateFileLoader.Load("Proxy:Tls", certificate, otherKey, null));

        Assert.Contains(certificate, error.Message);
        Assert.Contains(otherKey, error.Message);
    }

    [Fact]
    public void Load_PemWithoutKey_Error()
    {
        using var issued = CertificateFiles.Issue("pem.test", _now, TimeSpan.FromDays(30));
        var (certificate, _) = _files.WritePem(issued, "pem");

        Assert.Throws<CertificateLoadException>(() => CertificateFileLoader.Load("Proxy:Tls", certificate, null, null));
    }

    public void Dispose() => _files.Dispose();
}
