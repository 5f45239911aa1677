using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Proxy.Core.Configuration;
using Proxy.Core.Reload;

namespace Proxy.Core.Tests.Configuration;

public sealed class LastKnownGoodOptionsMonitorTests
{
    private readonly IConfigurationRoot _configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
    {
        ["Proxy:TopologyFile"] = "topology.json",
        ["Proxy:DirectoryFile"] = "users.json",
        ["Proxy:Imap:LoginType"] = "SecureLogin",
    }).Build();

    [Fact]
    public void CurrentValue_ValidConfiguration_BoundOptions()
    {
        var monitor = Create();

        Assert.Equal(LoginType.SecureLogin, monitor.CurrentValue.Imap.LoginType);
        Assert.Same(monitor.CurrentValue, monitor.CurrentValue);
    }

    [Fact]
    public void CurrentValue_InvalidAtFirstRead_ThrowsNamingKey()
    {
        _configuration["Proxy:Imap:MaxCommandSize"] = "1";
        var monitor = Create();

        var error = Assert.Throws<OptionsValidationException>(() => monitor.CurrentValue);

        Assert.Contains(error.Failures, f => f.StartsWith("Proxy:Imap:MaxCommandSize:", StringComparison.Ordinal));
    }

    [Fact]
    public void CurrentValue_ConfigurationChangedButNotApplied_StillTheOptionsInForce()
    {
        var monitor = Create();
        var before = monitor.CurrentValue;

        _configuration["Proxy:Imap:LoginType"] = "PlainTextLogin";
        _configuration.Reload();

        Assert.Same(before, monitor.CurrentValue);
    }

    [Fact]
    public void TryCreateThenApply_ValidChange_InForceAndListenersTold()
    {
        var monitor = Create();
        var told = new List<ProxyOptions>();
        using var registration = monitor.OnChange((options, _) => told.Add(options));

        _configuration["Proxy:Imap:LoginType"] = "PlainTextLogin";
        Assert.True(monitor.TryCreate(out var candidate, out var errors));
        monitor.Apply(candidate);

        Assert.Empty(errors);
        Assert.Equal(LoginType.PlainTextLogin, monitor.CurrentValue.Imap.LoginType);
        Assert.Equal([candidate], told);
    }

    [Fact]
    public void TryCreate_InvalidChange_RefusedWithKeysAndOldValueKept()
    {
        var monitor = Create();
        var before = monitor.CurrentValue;

        _configuration["Proxy:Imap:MaxCommandSize"] = "1";
        _configuration["Proxy:Backends:ConnectTimeout"] = "00:00:00";

        Assert.False(monitor.TryCreate(out var candidate, out var errors));
        Assert.Null(candidate);
        Assert.Contains(errors, e => e.StartsWith("Proxy:Imap:MaxCommandSize: 1 must be between", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Proxy:Backends:ConnectTimeout:", StringComparison.Ordinal));
        Assert.Same(before, monitor.CurrentValue);
    }

    [Fact]
    public void TryCreate_ValueOfWrongType_RefusedNamingKey()
    {
        var monitor = Create();

        _configuration["Proxy:Imap:MaxCommandSize"] = "large";

        Assert.False(monitor.TryCreate(out _, out var errors));
        Assert.Contains("Proxy:Imap:MaxCommandSize", Assert.Single(errors), StringComparison.Ordinal);
    }

    [Fact]
    public void OnChange_RegistrationDisposed_NotToldAnyMore()
    {
        var monitor = Create();
        var told = 0;
        var registration = monitor.OnChange((_, _) => told++);

        registration.Dispose();
        monitor.Apply(new ProxyOptions());

        Assert.Equal(0, told);
    }

    [Fact]
    public void AddConfigurationReload_OptionsMonitorIsTheLastKnownGoodOne()
    {
        using var provider = Services().AddConfigurationReload().BuildServiceProvider();

        Assert.IsType<LastKnownGoodOptionsMonitor>(provider.GetRequiredService<IOptionsMonitor<ProxyOptions>>());
        Assert.Same(provider.GetRequiredService<LastKnownGoodOptionsMonitor>(), provider.GetRequiredService<IOptionsMonitor<ProxyOptions>>());
    }

    private LastKnownGoodOptionsMonitor Create() =>
        new(Services().BuildServiceProvider().GetRequiredService<IOptionsFactory<ProxyOptions>>());

    private ServiceCollection Services()
    {
        var services = new ServiceCollection();
        services.AddOptions<ProxyOptions>().Bind(_configuration.GetSection("Proxy"));
        services.AddSingleton<IValidateOptions<ProxyOptions>, ProxyOptionsValidator>();
        return services;
    }
}
