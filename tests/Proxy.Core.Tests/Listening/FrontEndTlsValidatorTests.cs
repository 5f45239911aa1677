using Proxy.Core.Configuration;

namespace Proxy.Core.Tests.Listening;

public sealed class FrontEndTlsValidatorTests
{
    [Fact]
    public void Validate_WellFormedSniEntries_NoError()
    {
        var errors = Validate(new FrontEndTlsOptions
        {
            CertificateFile = "default.pem",
            Certificates =
            [
                new() { HostNames = ["mail.contoso.com", "*.contoso.com"], CertificateFile = "contoso.pem" },
                new() { HostNames = ["mail.fabrikam.com"], CertificateFile = "fabrikam.pfx", Password = "x" },
            ],
        });

        Assert.Empty(errors);
    }

    [Fact]
    public void Validate_SniEntriesWithoutDefault_NamesCertificateFile()
    {
        var errors = Validate(new FrontEndTlsOptions { Certificates = [new() { HostNames = ["mail.contoso.com"], CertificateFile = "c.pem" }] });

        Assert.Contains(errors, e => e.StartsWith("Proxy:Tls:CertificateFile: required when Proxy:Tls:Certificates is set", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_EntryWithoutFileOrNames_NamesEachKey()
    {
        var errors = Validate(new FrontEndTlsOptions { CertificateFile = "d.pem", Certificates = [new()] });

        Assert.Contains("Proxy:Tls:Certificates:0:CertificateFile: required", errors);
        Assert.Contains("Proxy:Tls:Certificates:0:HostNames: at least one host name is required", errors);
    }

    [Fact]
    public void Validate_BadAndDuplicateHostNames_NamesTheListEntries()
    {
        var errors = Validate(new FrontEndTlsOptions
        {
            CertificateFile = "d.pem",
            Certificates =
            [
                new() { HostNames = ["mail.contoso.com", "10.0.0.1"], CertificateFile = "a.pem" },
                new() { HostNames = ["*.fabrikam.com", "MAIL.contoso.com."], CertificateFile = "b.pem" },
            ],
        });

        Assert.Equal(2, errors.Count);
        Assert.Contains(errors, e => e.StartsWith("Proxy:Tls:Certificates:0:HostNames:1: '10.0.0.1' is an IP address", StringComparison.Ordinal));
        Assert.Contains("Proxy:Tls:Certificates:1:HostNames:1: 'MAIL.contoso.com.' is already listed at Proxy:Tls:Certificates:0:HostNames:0", errors);
    }

    [Theory]
    [InlineData("00:00:00")]
    [InlineData("00:00:00.500")]
    [InlineData("2.00:00:00")]
    public void Validate_ReloadCheckIntervalOutOfRange_NamesKey(string interval)
    {
        var errors = Validate(new FrontEndTlsOptions { ReloadCheckInterval = TimeSpan.Parse(interval) });

        Assert.Contains(errors, e => e.StartsWith("Proxy:Tls:ReloadCheckInterval:", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_NegativeExpiryWarningDays_NamesKey()
    {
        var errors = Validate(new FrontEndTlsOptions { ExpiryWarningDays = -1 });

        Assert.Contains(errors, e => e.StartsWith("Proxy:Tls:ExpiryWarningDays:", StringComparison.Ordinal));
    }

    /// <summary>Through the real options validator, so the wiring is tested too; only Proxy:Tls errors are kept.</summary>
    private static List<string> Validate(FrontEndTlsOptions tls)
    {
        var result = new ProxyOptionsValidator().Validate(null, new ProxyOptions { Tls = tls });
        return result.Failures?.Where(f => f.StartsWith("Proxy:Tls", StringComparison.Ordinal)).ToList() ?? [];
    }
}
