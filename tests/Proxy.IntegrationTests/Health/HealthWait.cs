using Proxy.Core.Backends.Health;
using Proxy.IntegrationTests.Harness;

namespace Proxy.IntegrationTests.Health;

/// <summary>Waits, with a generous bound, for the proxy's own health view to say something.</summary>
public static class HealthWait
{
    public static async Task<IReadOnlyList<EndpointHealthSnapshot>> UntilAsync(
        ProxyUnderTest proxy, Func<IReadOnlyList<EndpointHealthSnapshot>, bool> condition, string what, TimeSpan? within = null)
    {
        var health = (IBackendHealth)proxy.Services.GetService(typeof(IBackendHealth))!;
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(20));
        while (true)
        {
            var snapshot = health.Snapshot();
            if (condition(snapshot))
            {
                return snapshot;
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"health never showed {what}:\n{string.Join('\n', snapshot)}\n{proxy.Logs.AllText}");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>Probes every second with a one-second timeout; other settings as shipped unless given.</summary>
    public static Dictionary<string, string?> FastProbes(params (string Key, string Value)[] more)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Proxy:Health:Enabled"] = "true",
            ["Proxy:Health:ProbeInterval"] = "00:00:01",
            ["Proxy:Health:ProbeTimeout"] = "00:00:01",
        };
        foreach (var (key, value) in more)
        {
            settings[key] = value;
        }

        return settings;
    }
}
