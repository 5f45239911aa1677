using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Proxy.IntegrationTests.Harness;
using Proxy.IntegrationTests.Host;
using Proxy.IntegrationTests.Infrastructure;

namespace Proxy.IntegrationTests.Dashboard;

/// <summary>
/// <c>/ready</c> for load balancers and Kubernetes, and what a refused reload and
/// <c>Proxy:Dashboard:Enabled</c> do to the HTTP side. No backend is needed: none is dialled.
/// </summary>
public sealed class ReadinessTests : IDisposable
{
    private readonly TestPki _pki = TestPki.Create();

    [Fact]
    public async Task Ready_WhileRunning200_From503OnceTheHostBeginsToStop()
    {
        await using var proxy = await ProxyUnderTest.StartAsync(HostAttempt.ValidTopology(), [], _pki.CertificatePath, _pki.KeyPath);
        using var api = new StatusApi(proxy.HttpPort);

        var running = await api.GetAsync("/ready");
        Assert.Equal(HttpStatusCode.OK, running.Status);
        Assert.Equal("no-store", running.CacheControl);
        Assert.True(running.Json.GetProperty("ready").GetBoolean());
        Assert.Empty(running.Json.GetProperty("reasons").EnumerateArray());

        // What SIGTERM does first: the host is told to stop. Its services (Kestrel's HTTP side
        // included) stop only after that; until then a load balancer's probe still gets an answer.
        proxy.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication();

        var ready = await api.GetAsync("/ready");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.Status);
        Assert.False(ready.Json.GetProperty("ready").GetBoolean());
        var reasons = ready.Json.GetProperty("reasons").EnumerateArray().Select(r => r.GetString()).ToList();
        Assert.Contains("the proxy is stopping", reasons);
        Assert.Contains($"listener Imap 127.0.0.1:{proxy.ImapPort} is not bound", reasons);
        // /health agrees: the listeners are being released.
        var health = await api.GetAsync("/health");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, health.Status);
        Assert.All(health.Json.GetProperty("listeners").EnumerateArray(), l => Assert.False(l.GetProperty("bound").GetBoolean()));
    }

    [Fact]
    public async Task RefusedReload_DegradedWithReason_StillReady()
    {
        await using var proxy = await ProxyUnderTest.StartAsync(HostAttempt.ValidTopology(), [], _pki.CertificatePath, _pki.KeyPath);
        using var api = new StatusApi(proxy.HttpPort);
        Assert.Equal("Healthy", (await api.GetAsync("/health")).Json.GetProperty("status").GetString());

        await File.WriteAllTextAsync(proxy.TopologyFile, """{ "Topology": { "LocalSite": "HQ", """);
        var health = await api.UntilAsync("/health", a => a.Json.GetProperty("status").GetString() == "Degraded", "Degraded after the refused reload");

        Assert.Equal(HttpStatusCode.OK, health.Status);
        var reason = Assert.Single(health.Json.GetProperty("reasons").EnumerateArray()).GetString();
        Assert.StartsWith("the last configuration reload was refused (", reason);
        Assert.Contains(proxy.TopologyFile, reason);
        Assert.EndsWith("the proxy runs on its last good configuration", reason);
        var ready = await api.GetAsync("/ready");
        Assert.Equal(HttpStatusCode.OK, ready.Status);
        Assert.True(ready.Json.GetProperty("ready").GetBoolean());
        var lastReload = (await api.StatusAsync()).GetProperty("configuration").GetProperty("lastReload");
        Assert.False(lastReload.GetProperty("accepted").GetBoolean());
        Assert.Contains(lastReload.GetProperty("errors").EnumerateArray(), e => e.GetString()!.Contains(proxy.TopologyFile, StringComparison.Ordinal));

        // Fixed: healthy again, and the reload shows as accepted.
        await File.WriteAllTextAsync(proxy.TopologyFile, ProxyUnderTest.TopologyJson(HostAttempt.ValidTopology()));
        await api.UntilAsync("/health", a => a.Json.GetProperty("status").GetString() == "Healthy", "Healthy after the fix");
        Assert.True((await api.StatusAsync()).GetProperty("configuration").GetProperty("lastReload").GetProperty("accepted").GetBoolean());
    }

    [Fact]
    public async Task DashboardDisabled_StatusApiNotServed_HealthAndReadyStill()
    {
        await using var proxy = await ProxyUnderTest.StartAsync(HostAttempt.ValidTopology(), [], _pki.CertificatePath, _pki.KeyPath,
            new Dictionary<string, string?> { ["Proxy:Dashboard:Enabled"] = "false" });
        using var api = new StatusApi(proxy.HttpPort);

        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync("/api/v1/status")).Status);
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/health")).Status);
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/ready")).Status);
    }

    [Fact]
    public async Task RecentEventsOutOfRange_RefusedAtStartNamingTheKey()
    {
        var outcome = await HostAttempt.StartAsync(_pki, new Dictionary<string, string?> { ["Proxy:Dashboard:RecentEvents"] = "0" });

        Assert.Equal(2, outcome.ExitCode);
        Assert.Contains("Proxy:Dashboard:RecentEvents: 0 must be between 1 and 10000", outcome.Logs.AllText);
    }

    public void Dispose() => _pki.Dispose();
}
