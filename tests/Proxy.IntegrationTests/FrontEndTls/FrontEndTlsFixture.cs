using Proxy.IntegrationTests.Harness;
using Proxy.IntegrationTests.Host;
using Proxy.IntegrationTests.Ordering;

namespace Proxy.IntegrationTests.FrontEndTls;

/// <summary>
/// A proxy with a default certificate and two SNI certificates (an exact name and a wildcard),
/// for handshake tests that need no backend: the topology points at closed ports.
/// </summary>
public sealed class FrontEndTlsFixture : IAsyncLifetime
{
    public const string DefaultName = "default.tls.test";
    public const string MailName = "mail.contoso.test";
    public const string WildcardName = "wildcard.contoso.test";

    public FrontEndCertificateAuthority Authority { get; } = new();

    /// <summary>Default <see cref="DefaultName"/>; <see cref="MailName"/> exact; <c>*.contoso.test</c> by <see cref="WildcardName"/>.</summary>
    public ProxyUnderTest Proxy { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var (mailCertificate, mailKey) = Authority.WritePem(Authority.Issue(MailName), "mail");
        var (wildcardCertificate, wildcardKey) = Authority.WritePem(Authority.Issue(WildcardName, "*.contoso.test"), "wildcard");
        Proxy = await StartProxyAsync(Authority.WritePem(Authority.Issue(DefaultName), "default"), new Dictionary<string, string?>
        {
            ["Proxy:Tls:Certificates:0:HostNames:0"] = MailName,
            ["Proxy:Tls:Certificates:0:CertificateFile"] = mailCertificate,
            ["Proxy:Tls:Certificates:0:KeyFile"] = mailKey,
            ["Proxy:Tls:Certificates:1:HostNames:0"] = "*.contoso.test",
            ["Proxy:Tls:Certificates:1:CertificateFile"] = wildcardCertificate,
            ["Proxy:Tls:Certificates:1:KeyFile"] = wildcardKey,
        });
    }

    /// <summary>A proxy of its own (the caller disposes it) with <paramref name="files"/> as its default certificate.</summary>
    /// <param name="files">A PEM certificate and key; an empty key for a PFX or a PEM holding its key.</param>
    public Task<ProxyUnderTest> StartProxyAsync((string Certificate, string Key) files, Dictionary<string, string?>? settings = null) =>
        ProxyUnderTest.StartAsync(HostAttempt.ValidTopology(), Topologies.Users, files.Certificate, files.Key, settings);

    public async Task DisposeAsync()
    {
        if (Proxy is not null)
        {
            await Proxy.DisposeAsync();
        }

        Authority.Dispose();
    }
}
