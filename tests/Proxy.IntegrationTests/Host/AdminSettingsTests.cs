using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Proxy.Host;
using Proxy.IntegrationTests.Infrastructure;

namespace Proxy.IntegrationTests.Host;

/// <summary>The settings of the admin API and the shutdown drain, as the host reads and checks them.</summary>
public sealed class AdminSettingsTests : IDisposable
{
    private const int ConfigurationInvalid = 3003;

    private readonly TestPki _pki = TestPki.Create();

    [Theory]
    [InlineData("Proxy:Admin:Token", "too-short", "Proxy:Admin:Token: must be at least 16 characters")]
    [InlineData("Proxy:Admin:Token", " padded-token-0123456789 ", "Proxy:Admin:Token: must be at least 16 characters")]
    [InlineData("Proxy:ShutdownDrainTimeout", "-00:00:01", "Proxy:ShutdownDrainTimeout: -00:00:01 must be between 00:00:00 and 01:00:00")]
    [InlineData("Proxy:ShutdownDrainTimeout", "02:00:00", "Proxy:ShutdownDrainTimeout: 02:00:00 must be between 00:00:00 and 01:00:00")]
    public async Task StartAsync_InvalidValue_ExitConfigurationInvalidNamingTheKey(string key, string value, string message)
    {
        var outcome = await HostAttempt.StartAsync(_pki, new Dictionary<string, string?> { [key] = value });

        Assert.Equal(ProxyHost.ExitConfigurationInvalid, outcome.ExitCode);
        Assert.Contains(message, Assert.Single(outcome.Logs.WithEventId(ConfigurationInvalid)).Message);
        if (key == "Proxy:Admin:Token")
        {
            Assert.DoesNotContain(value.Trim(), outcome.Logs.AllText);
        }
    }

    [Fact]
    public async Task StartAsync_ValidTokenAndDrainTime_Starts()
    {
        var outcome = await HostAttempt.StartAsync(_pki, new Dictionary<string, string?>
        {
            ["Proxy:Admin:Token"] = "a-long-enough-admin-token",
            ["Proxy:ShutdownDrainTimeout"] = "00:00:00",
        });

        Assert.True(outcome.ExitCode == 0, outcome.Logs.AllText);
    }

    [Theory]
    [InlineData(null, 45)]
    [InlineData("00:02:00", 135)]
    [InlineData("not a duration", 45)]
    public async Task Build_HostShutdownTimeout_OutwaitsTheSessionDrain(string? drain, int expectedSeconds)
    {
        await using var app = ProxyHost.Build([], builder =>
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Proxy:ShutdownDrainTimeout"] = drain }));

        var hostOptions = app.Services.GetRequiredService<IOptions<HostOptions>>().Value;

        Assert.Equal(TimeSpan.FromSeconds(expectedSeconds), hostOptions.ShutdownTimeout);
    }

    public void Dispose() => _pki.Dispose();
}
