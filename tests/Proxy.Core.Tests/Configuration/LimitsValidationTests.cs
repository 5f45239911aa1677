using Proxy.Core.Configuration;

namespace Proxy.Core.Tests.Configuration;

/// <summary>The connection-limit, brute-force and password-verification settings are validated with their keys.</summary>
public sealed class LimitsValidationTests
{
    [Fact]
    public void Validate_Defaults_NoLimitErrors()
    {
        var errors = Errors(new ProxyOptions());

        Assert.DoesNotContain(errors, e => e.Contains("MaxConnection", StringComparison.Ordinal) || e.Contains("BruteForce", StringComparison.Ordinal) || e.Contains("PasswordVerification", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_ConnectionLimitsBelowOne_ErrorsNameTheKeys()
    {
        var options = new ProxyOptions();
        options.Imap.MaxConnections = 0;
        options.Pop3.MaxConnectionFromSingleIP = -1;
        options.Imap.MaxConnectionsPerUser = 0;

        var errors = Errors(options);

        Assert.Contains("Proxy:Imap:MaxConnections: 0 must be at least 1", errors);
        Assert.Contains("Proxy:Pop3:MaxConnectionFromSingleIP: -1 must be at least 1", errors);
        Assert.Contains("Proxy:Imap:MaxConnectionsPerUser: 0 must be at least 1", errors);
    }

    [Fact]
    public void Validate_BruteForceOutOfRange_ErrorsNameTheKeys()
    {
        var options = new ProxyOptions();
        options.BruteForce.Window = TimeSpan.Zero;
        options.BruteForce.TarpitDelay = TimeSpan.FromSeconds(5);
        options.BruteForce.MaxTarpitDelay = TimeSpan.FromSeconds(1);
        options.BruteForce.UserAndAddressLockoutAfter = -1;
        options.BruteForce.MaxTrackedKeys = 10;

        var errors = Errors(options);

        Assert.Contains("Proxy:BruteForce:Window: 00:00:00 must be greater than zero", errors);
        Assert.Contains("Proxy:BruteForce:MaxTarpitDelay: 00:00:01 must lie between TarpitDelay (00:00:05) and 00:05:00", errors);
        Assert.Contains("Proxy:BruteForce:UserAndAddressLockoutAfter: -1 must not be negative (0 turns it off)", errors);
        Assert.Contains("Proxy:BruteForce:MaxTrackedKeys: 10 must be between 100 and 10000000", errors);
    }

    [Fact]
    public void Validate_PasswordVerificationOutOfRange_ErrorsNameTheKeys()
    {
        var options = new ProxyOptions();
        options.PasswordVerification.MaxConcurrency = -1;
        options.PasswordVerification.QueueTimeout = TimeSpan.Zero;

        var errors = Errors(options);

        Assert.Contains("Proxy:PasswordVerification:MaxConcurrency: -1 must be between 0 (processors - 1) and 1024", errors);
        Assert.Contains("Proxy:PasswordVerification:QueueTimeout: 00:00:00 must be greater than zero", errors);
    }

    [Fact]
    public void EffectiveMaxConcurrency_Zero_ProcessorsLessOneAtLeastOne()
    {
        Assert.Equal(Math.Max(1, Environment.ProcessorCount - 1), new PasswordVerificationOptions().EffectiveMaxConcurrency);
        Assert.Equal(7, new PasswordVerificationOptions { MaxConcurrency = 7 }.EffectiveMaxConcurrency);
    }

    private static List<string> Errors(ProxyOptions options) =>
        new ProxyOptionsValidator().Validate(null, options).Failures?.ToList() ?? [];
}
