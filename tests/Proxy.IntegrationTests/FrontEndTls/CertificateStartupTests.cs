using Proxy.Host;
using Proxy.IntegrationTests.Harness;
using Proxy.IntegrationTests.Host;
using Proxy.IntegrationTests.Infrastructure;

namespace Proxy.IntegrationTests.FrontEndTls;

/// <summary>
/// The forms the proxy's certificate comes in (PEM with its key apart or inside, PFX with a
/// password), and what an operator sees when it cannot be used: exit code 2, event 2007 naming
/// the key and the file, never the password.
/// </summary>
public sealed class CertificateStartupTests(FrontEndTlsFixture fixture) : IClassFixture<FrontEndTlsFixture>, IDisposable
{
    private const int CertificateNotFound = 2007;
    private const int ConfigurationInvalid = 3003;
    private const string PfxPassword = "Pfx-Startup-S3cret";

    private readonly TestPki _pki = TestPki.Create();

    private FrontEndCertificateAuthority Authority => fixture.Authority;

    [Fact]
    public async Task Start_PemCertificateAndSeparateKey_Served()
    {
        await using var proxy = await fixture.StartProxyAsync(Authority.WritePem(Authority.Issue("pem-pair.tls.test"), "pem-pair"));

        Assert.Equal("CN = pem-pair.tls.test", await CertificateProbe.SubjectAsync(proxy.ImapsPort, MailProtocolKind.Imap, true));
    }

    [Fact]
    public async Task Start_PemWithKeyInSameFile_Served()
    {
        var path = Authority.WriteCombinedPem(Authority.Issue("pem-combined.tls.test"), "pem-combined.pem");
        await using var proxy = await fixture.StartProxyAsync((path, ""));

        Assert.Equal("CN = pem-combined.tls.test", await CertificateProbe.SubjectAsync(proxy.ImapsPort, MailProtocolKind.Imap, true));
    }

    [Fact]
    public async Task Start_PfxWithPassword_Served()
    {
        var path = Authority.WritePfx(Authority.Issue("pfx.tls.test"), "startup", PfxPassword);
        await using var proxy = await fixture.StartProxyAsync((path, ""), new Dictionary<string, string?> { ["Proxy:Tls:Password"] = PfxPassword });

        Assert.Equal("CN = pfx.tls.test", await CertificateProbe.SubjectAsync(proxy.Pop3Port, MailProtocolKind.Pop3, false));
        Assert.DoesNotContain(PfxPassword, proxy.Logs.AllText);
    }

    [Fact]
    public async Task Start_PfxWrongPassword_ExitConfigurationInvalidWithEvent2007NeverThePassword()
    {
        var path = Authority.WritePfx(Authority.Issue("pfx.tls.test"), "wrong-password", PfxPassword);
        const string wrong = "Not-The-Pfx-Password-7";

        var outcome = await HostAttempt.StartAsync(_pki, new Dictionary<string, string?>
        {
            ["Proxy:Tls:CertificateFile"] = path,
            ["Proxy:Tls:KeyFile"] = "",
            ["Proxy:Tls:Password"] = wrong,
        });

        AssertRefused(outcome, "Proxy:Tls:CertificateFile", path);
        Assert.DoesNotContain(wrong, outcome.Logs.AllText);
        Assert.DoesNotContain(PfxPassword, outcome.Logs.AllText);
    }

    [Fact]
    public async Task Start_CertificateFileMissing_ExitConfigurationInvalidWithEvent2007()
    {
        var missing = Authority.PathOf("no-such-certificate.pem");

        var outcome = await HostAttempt.StartAsync(_pki, new Dictionary<string, string?> { ["Proxy:Tls:CertificateFile"] = missing });

        AssertRefused(outcome, "Proxy:Tls:CertificateFile", missing);
    }

    [Fact]
    public async Task Start_KeyFileMissing_ExitConfigurationInvalidWithEvent2007NamingKeyFile()
    {
        var missing = Authority.PathOf("no-such-key.pem");

        var outcome = await HostAttempt.StartAsync(_pki, new Dictionary<string, string?> { ["Proxy:Tls:KeyFile"] = missing });

        AssertRefused(outcome, "Proxy:Tls:KeyFile", missing);
    }

    [Fact]
    public async Task Start_SniCertificateUnloadable_ExitConfigurationInvalidNamingTheEntry()
    {
        var missing = Authority.PathOf("no-such-sni.pem");

        var outcome = await HostAttempt.StartAsync(_pki, new Dictionary<string, string?>
        {
            ["Proxy:Tls:Certificates:0:HostNames:0"] = "mail.contoso.test",
            ["Proxy:Tls:Certificates:0:CertificateFile"] = missing,
        });

        AssertRefused(outcome, "Proxy:Tls:Certificates:0:CertificateFile", missing);
    }

    [Fact]
    public async Task Start_SniHostNameInvalid_ExitConfigurationInvalidNamingTheKey()
    {
        var outcome = await HostAttempt.StartAsync(_pki, new Dictionary<string, string?>
        {
            ["Proxy:Tls:Certificates:0:HostNames:0"] = "mail.*.contoso.test",
            ["Proxy:Tls:Certificates:0:CertificateFile"] = _pki.CertificatePath,
            ["Proxy:Tls:Certificates:0:KeyFile"] = _pki.KeyPath,
        });

        Assert.True(outcome.ExitCode == ProxyHost.ExitConfigurationInvalid, $"exit code {outcome.ExitCode}:\n{outcome.Logs.AllText}");
        Assert.Contains(outcome.Logs.WithEventId(ConfigurationInvalid), e => e.Message.Contains("Proxy:Tls:Certificates:0:HostNames:0", StringComparison.Ordinal));
    }

    public void Dispose() => _pki.Dispose();

    private static void AssertRefused(HostAttempt.Outcome outcome, string key, string file)
    {
        Assert.True(outcome.ExitCode == ProxyHost.ExitConfigurationInvalid, $"exit code {outcome.ExitCode}:\n{outcome.Logs.AllText}");
        var entry = Assert.Single(outcome.Logs.WithEventId(CertificateNotFound));
        Assert.Contains(key, entry.Message);
        Assert.Contains(file, entry.Message);
    }
}
