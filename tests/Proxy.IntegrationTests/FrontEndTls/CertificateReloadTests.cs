using Proxy.IntegrationTests.Harness;

namespace Proxy.IntegrationTests.FrontEndTls;

/// <summary>
/// The proxy's certificate replaced on disk while it runs, the ways renewals do it (written in
/// place; written beside and renamed over, as certbot and cert-manager do): new connections get
/// the new certificate within a bounded wait, and a replacement that does not load changes nothing.
/// </summary>
public sealed class CertificateReloadTests(FrontEndTlsFixture fixture) : IClassFixture<FrontEndTlsFixture>
{
    private const int Reloaded = 3011;
    private const int ReloadFailed = 3012;

    private FrontEndCertificateAuthority Authority => fixture.Authority;

    [Fact]
    public async Task Reload_CertificateAndKeyWrittenInPlace_NewConnectionsGetTheNewCertificate()
    {
        var files = Authority.WritePem(Authority.Issue("inplace-v1.tls.test"), "inplace");
        await using var proxy = await fixture.StartProxyAsync(files);
        Assert.Equal("CN = inplace-v1.tls.test", await CertificateProbe.SubjectAsync(proxy.ImapsPort, MailProtocolKind.Imap, true));

        var renewed = Authority.Issue("inplace-v2.tls.test");
        Authority.WritePem(renewed, "inplace");

        await CertificateProbe.WaitForSubjectAsync(proxy.ImapsPort, MailProtocolKind.Imap, true, "inplace-v2.tls.test");
        Assert.Equal("CN = inplace-v2.tls.test", await CertificateProbe.SubjectAsync(proxy.Pop3Port, MailProtocolKind.Pop3, false));
        Assert.Contains(proxy.Logs.WithEventId(Reloaded), e => e.Message.Contains(renewed.Thumbprint, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Reload_CombinedPemRenamedOver_NewConnectionsGetTheNewCertificate()
    {
        var path = Authority.WriteCombinedPem(Authority.Issue("renamed-v1.tls.test"), "renamed.pem");
        await using var proxy = await fixture.StartProxyAsync((path, ""));
        Assert.Equal("CN = renamed-v1.tls.test", await CertificateProbe.SubjectAsync(proxy.ImapPort, MailProtocolKind.Imap, false));

        var temporary = Authority.WriteCombinedPem(Authority.Issue("renamed-v2.tls.test"), "renamed.pem.tmp");
        File.Move(temporary, path, overwrite: true);

        await CertificateProbe.WaitForSubjectAsync(proxy.ImapPort, MailProtocolKind.Imap, false, "renamed-v2.tls.test");
    }

    [Fact]
    public async Task Reload_SniCertificateRenamedOver_ThatNameGetsItAndTheDefaultStays()
    {
        var (certificate, key) = Authority.WritePem(Authority.Issue("sni-v1.contoso.test", "sni.contoso.test"), "sni");
        await using var proxy = await fixture.StartProxyAsync(Authority.WritePem(Authority.Issue("sni-default.tls.test"), "sni-default"), new Dictionary<string, string?>
        {
            ["Proxy:Tls:Certificates:0:HostNames:0"] = "sni.contoso.test",
            ["Proxy:Tls:Certificates:0:CertificateFile"] = certificate,
            ["Proxy:Tls:Certificates:0:KeyFile"] = key,
        });

        // Key first, then certificate, each renamed over its file: a reload in between fails and keeps v1.
        var renewed = Authority.Issue("sni-v2.contoso.test", "sni.contoso.test");
        var (newCertificate, newKey) = Authority.WritePem(renewed, "sni-next");
        File.Move(newKey, key, overwrite: true);
        File.Move(newCertificate, certificate, overwrite: true);

        await CertificateProbe.WaitForSubjectAsync(proxy.ImapsPort, MailProtocolKind.Imap, true, "sni-v2.contoso.test", "-servername", "sni.contoso.test");
        Assert.Equal("CN = sni-default.tls.test", await CertificateProbe.SubjectAsync(proxy.ImapsPort, MailProtocolKind.Imap, true, "-noservername"));
    }

    [Fact]
    public async Task Reload_UnloadableReplacement_OldCertificateKeptWithWarning()
    {
        var (certificate, _) = Authority.WritePem(Authority.Issue("kept.tls.test"), "kept");
        await using var proxy = await fixture.StartProxyAsync((certificate, Authority.PathOf("kept.key")));

        // Half a file, as a copy interrupted midway leaves it.
        var text = await File.ReadAllTextAsync(certificate);
        await File.WriteAllTextAsync(certificate, text[..(text.Length / 2)]);

        var failed = await WaitForEventAsync(proxy, ReloadFailed);
        Assert.Contains(certificate, failed.Message);
        Assert.Equal("CN = kept.tls.test", await CertificateProbe.SubjectAsync(proxy.Pop3sPort, MailProtocolKind.Pop3, true));
        Assert.Empty(proxy.Logs.WithEventId(Reloaded));
    }

    private static async Task<CapturedLog> WaitForEventAsync(ProxyUnderTest proxy, int eventId)
    {
        var deadline = DateTime.UtcNow + CertificateProbe.ReloadBound;
        while (DateTime.UtcNow < deadline)
        {
            if (proxy.Logs.WithEventId(eventId).FirstOrDefault() is { } entry)
            {
                return entry;
            }

            await Task.Delay(100);
        }

        Assert.Fail($"No event {eventId} within {CertificateProbe.ReloadBound.TotalSeconds:0} s:\n{proxy.Logs.AllText}");
        return null!;
    }
}
