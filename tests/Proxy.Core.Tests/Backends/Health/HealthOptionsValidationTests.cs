using Proxy.Core.Backends.Health;
using Proxy.Core.Configuration;

namespace Proxy.Core.Tests.Backends.Health;

public sealed class HealthOptionsValidationTests
{
    [Fact]
    public void Defaults_AreValid()
    {
        var errors = new List<string>();

        HealthOptionsValidation.Validate(new HealthOptions(), errors);

        Assert.Empty(errors);
    }

    [Theory]
    [InlineData("ProbeInterval", "Proxy:Health:ProbeInterval: 00:00:00.0500000 must be between 00:00:00.1000000 and 1.00:00:00")]
    [InlineData("ProbeTimeout", "Proxy:Health:ProbeTimeout: 00:00:00 must be between 00:00:00.0100000 and 1.00:00:00")]
    [InlineData("BreakDuration", "Proxy:Health:BreakDuration: 2.00:00:00 must be between 00:00:00.1000000 and 1.00:00:00")]
    [InlineData("Jitter", "Proxy:Health:Jitter: 0.7 must be between 0 and 0.5")]
    [InlineData("MaxConcurrentProbes", "Proxy:Health:MaxConcurrentProbes: 0 must be between 1 and 1024")]
    [InlineData("UnhealthyThreshold", "Proxy:Health:UnhealthyThreshold: 0 must be between 1 and 100")]
    [InlineData("HealthyThreshold", "Proxy:Health:HealthyThreshold: -1 must be between 1 and 100")]
    [InlineData("BreakerFailureThreshold", "Proxy:Health:BreakerFailureThreshold: 101 must be between 1 and 100")]
    public void Invalid_MessageNamesTheKey(string key, string expected)
    {
        var options = new HealthOptions();
        switch (key)
        {
            case "ProbeInterval": options.ProbeInterval = TimeSpan.FromMilliseconds(50); break;
            case "ProbeTimeout": options.ProbeTimeout = TimeSpan.Zero; break;
            case "BreakDuration": options.BreakDuration = TimeSpan.FromDays(2); break;
            case "Jitter": options.Jitter = 0.7; break;
            case "MaxConcurrentProbes": options.MaxConcurrentProbes = 0; break;
            case "UnhealthyThreshold": options.UnhealthyThreshold = 0; break;
            case "HealthyThreshold": options.HealthyThreshold = -1; break;
            default: options.BreakerFailureThreshold = 101; break;
        }

        var errors = new List<string>();
        HealthOptionsValidation.Validate(options, errors);

        Assert.Equal([expected], errors);
    }

    [Fact]
    public void ProxyOptionsValidator_IncludesHealth()
    {
        var options = new ProxyOptions { TopologyFile = "topology.json", DirectoryFile = "directory.json" };
        options.Health.Jitter = double.NaN;

        var result = new ProxyOptionsValidator().Validate(null, options);

        Assert.Equal(["Proxy:Health:Jitter: NaN must be between 0 and 0.5"], result.Failures);
    }
}
