using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Proxy.Core.Configuration;
using Proxy.Core.Listening;
using Proxy.Core.Tests.Backends.Fakes;
using Proxy.Core.Tests.TestDoubles;

namespace Proxy.Core.Tests.Listening;

/// <summary>
/// Certificate choice by SNI and reload from disk, on a manual clock: the periodic check runs
/// when the test advances the clock, so no test waits for a file watcher.
/// </summary>
public sealed class FrontEndCertificateTests : IDisposable
{
    private const int Loaded = 3010;
    private const int Reloaded = 3011;
    private const int ReloadFailed = 3012;
    private const int ExpiresSoon = 3013;
    private const int ServerNameNotMatched = 3015;
    private const int HostNameNotCovered = 3016;
    private const int CertificateNotFound = 2007;
    private const string Password = "Pfx-Passw0rd-Unit";

    private static readonly TimeSpan CheckInterval = TimeSpan.FromMinutes(1);

    private readonly CertificateFiles _files = new();
    private readonly ManualTimeProvider _clock = new();
    private readonly ListLogger<FrontEndCertificate> _logger = new();
    private readonly List<IDisposable> _disposables = [];

    [Fact]
    public void ServerOptions_SniNames_ExactThenWildcardThenDefault()
    {
        var certificates = Start(Default("default.test"),
            Sni("mail.contoso.test", ["mail.contoso.test"]),
            Sni("wildcard.contoso.test", ["*.contoso.test"], dnsNames: "*.contoso.test"));

        Assert.Equal("CN=mail.contoso.test", SubjectFor(certificates, "mail.contoso.test"));
        Assert.Equal("CN=mail.contoso.test", SubjectFor(certificates, "MAIL.contoso.test."));
        Assert.Equal("CN=wildcard.contoso.test", SubjectFor(certificates, "imap.contoso.test"));
        Assert.Equal("CN=default.test", SubjectFor(certificates, null));
        Assert.Equal("CN=default.test", SubjectFor(certificates, "contoso.test"));
        Assert.Equal("CN=default.test", SubjectFor(certificates, "a.b.contoso.test"));
        Assert.Equal("CN=default.test", SubjectFor(certificates, "other.example"));
        Assert.Contains(_logger.Entries, e => e.EventId.Id == ServerNameNotMatched && e.Message.Contains("other.example", StringComparison.Ordinal));
    }

    [Fact]
    public void ServerOptions_TlsTwelveAndThirteenOnly()
    {
        var certificates = Start(Default("default.test"));

        Assert.Equal(System.Security.Authentication.SslProtocols.Tls12 | System.Security.Authentication.SslProtocols.Tls13, certificates.ServerOptions(null).EnabledSslProtocols);
    }

    [Fact]
    public void Start_EachCertificateLoggedWithThumbprintAndExpiry()
    {
        var certificates = Start(Default("default.test"), Sni("mail.contoso.test", ["mail.contoso.test"]));

        var loaded = _logger.Entries.Where(e => e.EventId.Id == Loaded).ToList();
        Assert.Equal(2, loaded.Count);
        Assert.Contains(loaded, e => e.Message.Contains("Proxy:Tls loaded", StringComparison.Ordinal) && e.Message.Contains(certificates.Certificate!.Thumbprint, StringComparison.Ordinal));
        Assert.Contains(loaded, e => e.Message.Contains("Proxy:Tls:Certificates:0", StringComparison.Ordinal) && e.Message.Contains("CN=mail.contoso.test", StringComparison.Ordinal));
        Assert.All(loaded, e => Assert.Contains(_clock.GetUtcNow().AddDays(60).ToString("yyyy-MM-dd"), e.Message));
    }

    [Fact]
    public void Reload_FileWrittenInPlace_NewCertificateAfterPeriodicCheck()
    {
        var options = Default("v1.test");
        var certificates = Start(options);

        using var replacement = Issue("v2.test");
        File.WriteAllText(options.CertificateFile!, replacement.ExportCertificatePem());
        File.WriteAllText(options.KeyFile!, replacement.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
        Assert.Equal("CN=v1.test", SubjectFor(certificates, null));

        _clock.Advance(CheckInterval);

        Assert.Equal("CN=v2.test", SubjectFor(certificates, null));
        var reloaded = Assert.Single(_logger.Entries, e => e.EventId.Id == Reloaded);
        Assert.Contains(replacement.Thumbprint, reloaded.Message);
        Assert.Equal(LogLevel.Information, reloaded.Level);
    }

    [Fact]
    public void Reload_FileRenamedOver_NewCertificate()
    {
        var certificates = Start(new FrontEndTlsOptions { CertificateFile = _files.WriteCombinedPem(Issue("v1.test"), "combined"), ReloadCheckInterval = CheckInterval });
        var path = _files.PathOf("combined.pem");

        // As certbot and cert-manager do: write a temporary file, then rename it over the old one.
        var temporary = _files.WriteCombinedPem(Issue("v2.test"), "combined.tmp");
        File.Move(temporary, path, overwrite: true);
        _clock.Advance(CheckInterval);

        Assert.Equal("CN=v2.test", SubjectFor(certificates, null));
    }

    [Fact]
    public void Reload_UnloadableReplacement_OldCertificateKeptWithWarning()
    {
        var options = Default("v1.test");
        var certificates = Start(options);
        var original = certificates.Certificate!.Thumbprint;

        File.WriteAllText(options.CertificateFile!, "-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n");
        _clock.Advance(CheckInterval);

        Assert.Equal("CN=v1.test", SubjectFor(certificates, null));
        var failed = Assert.Single(_logger.Entries, e => e.EventId.Id == ReloadFailed);
        Assert.Equal(LogLevel.Warning, failed.Level);
        Assert.Contains(options.CertificateFile!, failed.Message);
        Assert.Contains(original, failed.Message);
        Assert.DoesNotContain(_logger.Entries, e => e.EventId.Id == Reloaded);

        // Not retried while the file stays as it is; fixed, it is taken.
        _clock.Advance(CheckInterval);
        Assert.Single(_logger.Entries, e => e.EventId.Id == ReloadFailed);
        using var fixedCertificate = Issue("v2.test");
        File.WriteAllText(options.CertificateFile!, fixedCertificate.ExportCertificatePem());
        File.WriteAllText(options.KeyFile!, fixedCertificate.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
        _clock.Advance(CheckInterval);
        Assert.Equal("CN=v2.test", SubjectFor(certificates, null));
    }

    [Fact]
    public void Reload_CertificateBeforeItsKey_KeptUntilTheKeyMatches()
    {
        var options = Default("v1.test");
        var certificates = Start(options);
        using var renewed = Issue("v2.test");

        // A renewal seen half way: the new certificate with the old key does not load.
        File.WriteAllText(options.CertificateFile!, renewed.ExportCertificatePem());
        _clock.Advance(CheckInterval);
        Assert.Equal("CN=v1.test", SubjectFor(certificates, null));

        File.WriteAllText(options.KeyFile!, renewed.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
        _clock.Advance(CheckInterval);
        Assert.Equal("CN=v2.test", SubjectFor(certificates, null));
    }

    [Fact]
    public void Reload_NothingChanged_NothingReloadedOrLogged()
    {
        var certificates = Start(Default("v1.test"));
        var before = certificates.ServerOptions(null).ServerCertificateContext;

        _clock.Advance(CheckInterval);
        _clock.Advance(CheckInterval);

        Assert.Same(before, certificates.ServerOptions(null).ServerCertificateContext);
        Assert.DoesNotContain(_logger.Entries, e => e.EventId.Id is Reloaded or ReloadFailed);
    }

    [Fact]
    public void Reload_SniCertificateFileChanged_OnlyThatNameGetsTheNewCertificate()
    {
        var mail = Sni("mail.contoso.test", ["mail.contoso.test"]);
        var certificates = Start(Default("default.test"), mail);

        using var renewed = Issue("mail-renewed.contoso.test", "mail.contoso.test");
        File.WriteAllText(mail.CertificateFile!, renewed.ExportCertificatePem());
        File.WriteAllText(mail.KeyFile!, renewed.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
        _clock.Advance(CheckInterval);

        Assert.Equal("CN=mail-renewed.contoso.test", SubjectFor(certificates, "mail.contoso.test"));
        Assert.Equal("CN=default.test", SubjectFor(certificates, null));
        Assert.Contains("Proxy:Tls:Certificates:0", Assert.Single(_logger.Entries, e => e.EventId.Id == Reloaded).Message);
    }

    [Fact]
    public void Start_CertificateExpiringWithinWarningDays_Warned()
    {
        Start(Default("soon.test", validFor: TimeSpan.FromDays(10)));

        var warning = Assert.Single(_logger.Entries, e => e.EventId.Id == ExpiresSoon);
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Contains("expires in 10 day(s)", warning.Message);
    }

    [Fact]
    public void Start_ExpiredCertificate_WarnedAsExpired()
    {
        Start(Default("old.test", validFor: TimeSpan.FromDays(-2)));

        Assert.Contains("has expired", Assert.Single(_logger.Entries, e => e.EventId.Id == ExpiresSoon).Message);
    }

    [Fact]
    public void PeriodicCheck_UnchangedCertificateEnteringWarningWindow_WarnedOnceADay()
    {
        Start(Default("long-running.test", validFor: TimeSpan.FromDays(20)));
        Assert.DoesNotContain(_logger.Entries, e => e.EventId.Id == ExpiresSoon);

        _clock.Advance(TimeSpan.FromDays(5));
        Assert.DoesNotContain(_logger.Entries, e => e.EventId.Id == ExpiresSoon);

        _clock.Advance(TimeSpan.FromDays(1));
        Assert.Contains("expires in 14 day(s)", Assert.Single(_logger.Entries, e => e.EventId.Id == ExpiresSoon).Message);

        // The checks of the same day say nothing more; the next day's does.
        _clock.Advance(CheckInterval);
        _clock.Advance(CheckInterval);
        Assert.Single(_logger.Entries, e => e.EventId.Id == ExpiresSoon);
        _clock.Advance(TimeSpan.FromDays(1));
        Assert.Equal(2, _logger.Entries.Count(e => e.EventId.Id == ExpiresSoon));
    }

    [Fact]
    public void Start_AllowLegacyCipherSuites_Warned()
    {
        var options = Default("legacy.test");
        options.AllowLegacyCipherSuites = true;

        var certificates = Start(options);

        Assert.Single(_logger.Entries, e => e.EventId.Id == 3017 && e.Level == LogLevel.Warning);
        Assert.Null(certificates.ServerOptions(null).CipherSuitesPolicy);
    }

    [Fact]
    public void Start_WarningDaysZero_NoExpiryWarning()
    {
        var options = Default("soon.test", validFor: TimeSpan.FromDays(3));
        options.ExpiryWarningDays = 0;

        Start(options);

        Assert.DoesNotContain(_logger.Entries, e => e.EventId.Id == ExpiresSoon);
    }

    [Fact]
    public void Reload_ReplacementExpiringSoon_Warned()
    {
        var options = Default("v1.test");
        Start(options);
        Assert.DoesNotContain(_logger.Entries, e => e.EventId.Id == ExpiresSoon);

        using var shortLived = Issue("v2.test", validFor: TimeSpan.FromDays(5));
        File.WriteAllText(options.CertificateFile!, shortLived.ExportCertificatePem());
        File.WriteAllText(options.KeyFile!, shortLived.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
        _clock.Advance(CheckInterval);

        Assert.Contains(shortLived.Thumbprint, Assert.Single(_logger.Entries, e => e.EventId.Id == ExpiresSoon).Message);
    }

    [Fact]
    public void Start_CertificateNotCoveringAConfiguredName_Warned()
    {
        Start(Default("default.test"), Sni("mail.contoso.test", ["mail.contoso.test", "*.contoso.test", "mail.fabrikam.test"]));

        var warnings = _logger.Entries.Where(e => e.EventId.Id == HostNameNotCovered).Select(e => e.Message).ToList();
        Assert.Equal(2, warnings.Count);
        Assert.Contains(warnings, w => w.Contains("*.contoso.test", StringComparison.Ordinal));
        Assert.Contains(warnings, w => w.Contains("mail.fabrikam.test", StringComparison.Ordinal));
    }

    [Fact]
    public void Certificate_WrongPfxPassword_RefusedNamingKeyAndFileNeverThePassword()
    {
        var pfx = _files.WritePfx(Issue("pfx.test"), "server", Password);
        var certificates = Create(new FrontEndTlsOptions { CertificateFile = pfx, Password = "not-" + Password });

        var error = Assert.Throws<InvalidOperationException>(() => certificates.Certificate);

        Assert.StartsWith($"Proxy:Tls:CertificateFile: cannot load '{pfx}'", error.Message);
        var logged = Assert.Single(_logger.Entries, e => e.EventId.Id == CertificateNotFound);
        Assert.Contains("Proxy:Tls:CertificateFile", logged.Message);
        Assert.Contains(pfx, logged.Message);
        Assert.DoesNotContain(Password, error.Message);
        Assert.DoesNotContain(Password, _logger.AllText);
    }

    [Fact]
    public void Certificate_SeveralUnloadableEntries_EveryOneReported()
    {
        var certificates = Create(new FrontEndTlsOptions
        {
            CertificateFile = _files.PathOf("missing-default.pem"),
            Certificates = [new() { HostNames = ["mail.contoso.test"], CertificateFile = _files.PathOf("missing-mail.pem") }],
        });

        var error = Assert.Throws<InvalidOperationException>(() => certificates.Certificate);

        Assert.Contains("Proxy:Tls:CertificateFile", error.Message);
        Assert.Contains("Proxy:Tls:Certificates:0:CertificateFile", error.Message);
        Assert.Equal(2, _logger.Entries.Count(e => e.EventId.Id == CertificateNotFound));
    }

    [Fact]
    public void Certificate_NoneConfigured_NullAndNotConfigured()
    {
        var certificates = Create(new FrontEndTlsOptions());

        Assert.False(certificates.IsConfigured);
        Assert.Null(certificates.Certificate);
    }

    public void Dispose()
    {
        foreach (var disposable in _disposables)
        {
            disposable.Dispose();
        }

        _files.Dispose();
    }

    private static string SubjectFor(FrontEndCertificate certificates, string? serverName) =>
        certificates.ServerOptions(serverName).ServerCertificateContext!.TargetCertificate.Subject;

    private X509Certificate2 Issue(string commonName, string? dnsName = null, TimeSpan? validFor = null)
    {
        var certificate = CertificateFiles.Issue(commonName, _clock.GetUtcNow(), validFor ?? TimeSpan.FromDays(60), dnsName ?? commonName);
        _disposables.Add(certificate);
        return certificate;
    }

    private FrontEndTlsOptions Default(string commonName, TimeSpan? validFor = null)
    {
        var (certificate, key) = _files.WritePem(Issue(commonName, validFor: validFor), commonName);
        return new FrontEndTlsOptions { CertificateFile = certificate, KeyFile = key, ReloadCheckInterval = CheckInterval };
    }

    private SniCertificateOptions Sni(string commonName, List<string> hostNames, string? dnsNames = null)
    {
        var (certificate, key) = _files.WritePem(Issue(commonName, dnsNames), commonName);
        return new SniCertificateOptions { HostNames = hostNames, CertificateFile = certificate, KeyFile = key };
    }

    private FrontEndCertificate Start(FrontEndTlsOptions options, params SniCertificateOptions[] sni)
    {
        options.Certificates.AddRange(sni);
        var certificates = Create(options);
        Assert.NotNull(certificates.Certificate);
        return certificates;
    }

    private FrontEndCertificate Create(FrontEndTlsOptions options)
    {
        var certificates = new FrontEndCertificate(Options.Create(new ProxyOptions { Tls = options }), _clock, _logger);
        _disposables.Add(certificates);
        return certificates;
    }
}
