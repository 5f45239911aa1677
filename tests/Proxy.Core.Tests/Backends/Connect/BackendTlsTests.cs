using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Proxy.Core.Backends;
using Proxy.Core.Configuration;
using Proxy.Core.Tests.Backends.Fakes;
using static Proxy.Core.Tests.Backends.Fakes.ConnectorHarness;

namespace Proxy.Core.Tests.Backends.Connect;

public sealed class BackendTlsTests
{
    private static readonly TestCertificates Certificates = TestCertificates.Shared;

    [Fact]
    public async Task ConnectAsync_UntrustedCertificate_TlsFailureThenNextAttempt()
    {
        var harness = new ConnectorHarness();
        await using var untrusted = FakeBackend.Start(new FakeImapScript().RunAsync, Certificates.SelfSigned);
        await using var plain = FakeBackend.Start(new FakeImapScript().RunAsync);
        var server = Server("HQ-MBX2013");

        var result = await harness.ImapAsync(Alice, Attempt(server, untrusted, BackendMethod.Ssl), Attempt(server, plain, BackendMethod.Plain));

        await using var session = result.Session;
        Assert.Equal(BackendMethod.Plain, session!.Method);
        Assert.Contains(harness.Logger.WithEvent("BackendAttemptFailed"), e => e.Message.Contains("Tls (state=tls)"));
        var rejected = Assert.Single(harness.Logger.WithEvent("BackendCertificateRejected"));
        Assert.Contains("RemoteCertificateChainErrors", rejected.Message);
        Assert.Contains("HQ-MBX2013", rejected.Message);
    }

    [Fact]
    public async Task ConnectAsync_UntrustedCertificateOnStartTls_TlsFailureBeforeCredentials()
    {
        var harness = new ConnectorHarness();
        var script = new FakeImapScript { StartTlsCertificate = Certificates.SelfSigned };
        await using var backend = FakeBackend.Start(script.RunAsync);

        var result = await harness.ImapAsync(Alice, Attempt(Server("A"), backend, BackendMethod.StartTls));

        Assert.Equal(BackendFailureKind.Tls, result.Failure);
        Assert.Empty(script.LoginCommands);
        Assert.Single(harness.Logger.WithEvent("BackendCertificateRejected"));
    }

    [Fact]
    public async Task ConnectAsync_CaFileTrustsIssuer_Succeeds()
    {
        var harness = new ConnectorHarness();
        await using var backend = FakeBackend.Start(new FakeImapScript().RunAsync, Certificates.Server);

        var result = await harness.ImapAsync(Alice, Attempt(TrustingServer("A"), backend, BackendMethod.Ssl));

        await using var session = result.Session;
        Assert.Equal(BackendFailureKind.None, result.Failure);
        Assert.Empty(harness.Logger.WithEvent("BackendCertificateRejected"));
    }

    [Fact]
    public async Task ConnectAsync_CaFileTrustsIssuerButNameDiffers_Tls()
    {
        var harness = new ConnectorHarness();
        await using var backend = FakeBackend.Start(new FakeImapScript().RunAsync, Certificates.OtherName);

        var result = await harness.ImapAsync(Alice, Attempt(TrustingServer("A"), backend, BackendMethod.Ssl));

        Assert.Equal(BackendFailureKind.Tls, result.Failure);
        Assert.Contains("RemoteCertificateNameMismatch", Assert.Single(harness.Logger.WithEvent("BackendCertificateRejected")).Message);
    }

    [Fact]
    public async Task ConnectAsync_ServerNameConfigured_ValidatesThatName()
    {
        var harness = new ConnectorHarness();
        await using var backend = FakeBackend.Start(new FakeImapScript().RunAsync, Certificates.OtherName);
        var server = Server("A", new BackendTlsOptions { CaFile = Certificates.CaPemPath, ServerName = "other.example" });

        var result = await harness.ImapAsync(Alice, Attempt(server, backend, BackendMethod.Ssl));

        await using var session = result.Session;
        Assert.Equal(BackendFailureKind.None, result.Failure);
    }

    [Fact]
    public async Task ConnectAsync_CaFileMissing_Tls()
    {
        var harness = new ConnectorHarness();
        await using var backend = FakeBackend.Start(new FakeImapScript().RunAsync, Certificates.Server);
        var server = Server("A", new BackendTlsOptions { CaFile = Path.Combine(Path.GetTempPath(), $"missing-{Guid.NewGuid():N}.pem") });

        var result = await harness.ImapAsync(Alice, Attempt(server, backend, BackendMethod.Ssl));

        Assert.Equal(BackendFailureKind.Tls, result.Failure);
        Assert.Contains(harness.Logger.WithEvent("BackendAttemptFailed"), e => e.Message.Contains("could not be read"));
    }

    [Fact]
    public async Task ConnectAsync_CaFileReplaced_NextHandshakeUsesTheNewFile()
    {
        // The CA file is kept between handshakes (read once, not per login), so a replaced file must still take effect.
        var harness = new ConnectorHarness();
        await using var backend = FakeBackend.Start(new FakeImapScript().RunAsync, Certificates.Server);
        var caFile = Path.Combine(Path.GetTempPath(), $"ca-{Guid.NewGuid():N}.pem");
        try
        {
            await File.WriteAllTextAsync(caFile, Certificates.SelfSigned.ExportCertificatePem());
            File.SetLastWriteTimeUtc(caFile, DateTime.UtcNow.AddMinutes(-10));
            var server = Server("A", new BackendTlsOptions { CaFile = caFile });

            var wrongCa = await harness.ImapAsync(Alice, Attempt(server, backend, BackendMethod.Ssl));
            var stillWrong = await harness.ImapAsync(Alice, Attempt(server, backend, BackendMethod.Ssl));
            await File.WriteAllTextAsync(caFile, Certificates.Ca.ExportCertificatePem());
            var rightCa = await harness.ImapAsync(Alice, Attempt(server, backend, BackendMethod.Ssl));

            await using var session = rightCa.Session;
            Assert.Equal(BackendFailureKind.Tls, wrongCa.Failure);
            Assert.Equal(BackendFailureKind.Tls, stillWrong.Failure);
            Assert.Equal(BackendFailureKind.None, rightCa.Failure);
            Assert.Equal(2, harness.Logger.WithEvent("BackendCertificateRejected").Count());
        }
        finally
        {
            File.Delete(caFile);
        }
    }

    public static TheoryData<string> PinnedThumbprints()
    {
        var certificate = TestCertificates.Shared.SelfSigned;
        var sha256 = certificate.GetCertHashString(HashAlgorithmName.SHA256);
        return new TheoryData<string>
        {
            sha256,
            sha256.ToLowerInvariant(),
            string.Join(':', sha256.Chunk(2).Select(pair => new string(pair))),
            certificate.GetCertHashString(HashAlgorithmName.SHA1),
        };
    }

    [Theory]
    [MemberData(nameof(PinnedThumbprints))]
    public async Task ConnectAsync_ThumbprintPinned_AcceptsThatCertificate(string thumbprint)
    {
        var harness = new ConnectorHarness();
        await using var backend = FakeBackend.Start(new FakeImapScript().RunAsync, Certificates.SelfSigned);
        var server = Server("A", new BackendTlsOptions { Thumbprint = thumbprint });

        var result = await harness.ImapAsync(Alice, Attempt(server, backend, BackendMethod.Ssl));

        await using var session = result.Session;
        Assert.Equal(BackendFailureKind.None, result.Failure);
    }

    [Fact]
    public async Task ConnectAsync_OtherThumbprintPinned_Tls()
    {
        var harness = new ConnectorHarness();
        await using var backend = FakeBackend.Start(new FakeImapScript().RunAsync, Certificates.SelfSigned);
        var server = Server("A", new BackendTlsOptions { Thumbprint = Certificates.Server.GetCertHashString(HashAlgorithmName.SHA256) });

        var result = await harness.ImapAsync(Alice, Attempt(server, backend, BackendMethod.Ssl));

        Assert.Equal(BackendFailureKind.Tls, result.Failure);
    }

    [Fact]
    public async Task ConnectAsync_AcceptAnyCertificate_AcceptsSelfSigned()
    {
        var harness = new ConnectorHarness();
        await using var backend = FakeBackend.Start(new FakeImapScript().RunAsync, Certificates.SelfSigned);
        var server = Server("A", new BackendTlsOptions { AcceptAnyCertificate = true });

        var result = await harness.ImapAsync(Alice, Attempt(server, backend, BackendMethod.Ssl));

        await using var session = result.Session;
        Assert.Equal(BackendFailureKind.None, result.Failure);
        Assert.Empty(harness.Logger.WithEvent("BackendCertificateRejected"));
    }

    [Fact]
    public async Task ConnectAsync_BackendNotSpeakingTls_Tls()
    {
        var harness = new ConnectorHarness(o => o.AttemptTimeout = TimeSpan.FromSeconds(2));
        // A plaintext server on the SSL endpoint: its greeting is no TLS record.
        await using var backend = FakeBackend.Start(new FakeImapScript().RunAsync);

        var result = await harness.ImapAsync(Alice, Attempt(TrustingServer("A"), backend, BackendMethod.Ssl));

        Assert.Equal(BackendFailureKind.Tls, result.Failure);
    }
}
