using Proxy.Core.Configuration;

namespace Proxy.Core.Tests.Configuration;

/// <summary>The front-end security settings are validated at start with their configuration key.</summary>
public sealed class ProxyOptionsValidatorTests
{
    [Fact]
    public void Validate_Defaults_NoErrorForTheSecuritySettings()
    {
        var options = Valid();

        Assert.Empty(Errors(options));
        Assert.Empty(options.Imap.TrustedNetworks);
        Assert.Equal(10, options.Pop3.MaxBadCommands);
        Assert.Equal(TimeSpan.FromMinutes(3), options.Imap.MaxPreAuthenticatedDuration);
    }

    [Fact]
    public void Validate_BadSecuritySettings_NamesEachKey()
    {
        var options = Valid();
        options.Imap.TrustedNetworks = ["127.0.0.0/8", "127.0.0.1/8", "intranet"];
        options.Pop3.TrustedNetworks = ["fd00::/200"];
        options.Imap.MaxBadCommands = 0;
        options.Pop3.MaxPreAuthenticatedDuration = TimeSpan.Zero;
        options.Imap.MaxPreAuthenticatedDuration = TimeSpan.FromDays(2);

        var errors = Errors(options);

        Assert.Contains(errors, e => e.StartsWith("Proxy:Imap:TrustedNetworks:1: '127.0.0.1/8' has bits set after the prefix; write 127.0.0.0/8", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Proxy:Imap:TrustedNetworks:2: 'intranet' is not an IP address", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Proxy:Pop3:TrustedNetworks:0: 'fd00::/200'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Proxy:Imap:MaxBadCommands: 0", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Proxy:Pop3:MaxPreAuthenticatedDuration: 00:00:00", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Proxy:Imap:MaxPreAuthenticatedDuration: 2.00:00:00", StringComparison.Ordinal));
        Assert.DoesNotContain(errors, e => e.Contains("TrustedNetworks:0: '127.0.0.0/8'", StringComparison.Ordinal));
    }

    private static ProxyOptions Valid() => new() { TopologyFile = "topology.json", DirectoryFile = "directory.json" };

    private static IReadOnlyList<string> Errors(ProxyOptions options) =>
        new ProxyOptionsValidator().Validate(null, options).Failures?.ToList() ?? [];
}
