using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Proxy.IntegrationTests.Health;
using Proxy.IntegrationTests.Ordering;

namespace Proxy.IntegrationTests.Dashboard;

/// <summary>
/// <c>/health</c> and the status API follow real backends going down: one site's Dovecot stopped
/// degrades the proxy (still 200), every Dovecot stopped makes it unhealthy (503).
/// </summary>
[Collection(DashboardCollection.Name)]
public sealed class HealthStatusTests(DashboardFixture fixture)
{
    private const string Status = "/api/v1/status";

    [Fact]
    public async Task Health_BranchDovecotStopped_SiteDegradedThenEveryDovecotStopped_Unhealthy503()
    {
        // One failed probe marks an endpoint unhealthy; the timeout is above the interval so a busy machine does not fail a probe.
        await using var proxy = await fixture.StartProxyAsync(HealthWait.FastProbes(("Proxy:Health:UnhealthyThreshold", "1"), ("Proxy:Health:ProbeTimeout", "00:00:03")));
        using var api = new StatusApi(proxy.HttpPort);
        var healthy = await api.UntilAsync(Status, a => Endpoints(a.Json).All(e => e.State == "Healthy"), "every endpoint healthy");
        Assert.Equal(8, Endpoints(healthy.Json).Count);
        Assert.All(Endpoints(healthy.Json), e => Assert.Equal(JsonValueKind.String, e.Element.GetProperty("lastProbeAt").ValueKind));
        Assert.All(Endpoints(healthy.Json), e => Assert.True(e.Element.GetProperty("latencyMs").GetDouble() > 0));
        var health = await api.GetAsync("/health");
        Assert.Equal(HttpStatusCode.OK, health.Status);
        Assert.Equal("Healthy", health.Json.GetProperty("status").GetString());
        Assert.Equal([(DashboardFixture.Branch, "Healthy", 4, 4), (Topologies.Site, "Healthy", 4, 4)], Sites(health.Json));

        try
        {
            await fixture.BranchBackend.StopAsync();
            var degraded = await api.UntilAsync(
                Status,
                a => Endpoints(a.Json).Where(e => e.Server == DashboardFixture.BranchServer).All(e => e.State == "Unhealthy" && Failure(e.Element) == "Connect"),
                "Branch's endpoints unhealthy, refused");

            var status = degraded.Json;
            StatusShape.AssertContract(status);
            StatusSchema.AssertValid(status, StatusSchema.Load());
            Assert.Equal("Degraded", status.GetProperty("status").GetString());
            Assert.True(status.GetProperty("ready").GetBoolean(), "a degraded proxy still takes clients");
            Assert.Equal(["site Branch: no healthy imap endpoint", "site Branch: no healthy pop3 endpoint"], Strings(status.GetProperty("statusReasons")));
            var sites = status.GetProperty("sites").EnumerateArray().ToDictionary(s => s.GetProperty("name").GetString()!, s => s.GetProperty("status").GetString());
            Assert.Equal("Degraded", sites[DashboardFixture.Branch]);
            Assert.Equal("Healthy", sites[Topologies.Site]);
            var branchEndpoint = Endpoints(status).First(e => e.Server == DashboardFixture.BranchServer).Element;
            var lastError = branchEndpoint.GetProperty("lastError");
            Assert.Equal("probe", lastError.GetProperty("source").GetString());
            Assert.Equal("Connect", lastError.GetProperty("failure").GetString());
            Assert.Equal(JsonValueKind.String, branchEndpoint.GetProperty("stateChangedAt").ValueKind);
            // Each transition to unhealthy (event 3501) is an error in the recent list, naming its server.
            var transitions = status.GetProperty("recent").EnumerateArray()
                .Where(e => e.GetProperty("eventId").GetInt32() == 3501 && e.GetProperty("server").GetString() == DashboardFixture.BranchServer)
                .ToList();
            Assert.All(transitions, e => Assert.Equal("error", e.GetProperty("kind").GetString()));
            var branch = fixture.BranchBackend;
            Assert.Equal(
                new[] { branch.ImapSslPort, branch.ImapPort, branch.Pop3SslPort, branch.Pop3Port }.Select(p => p.ToString(CultureInfo.InvariantCulture)).Order(),
                transitions.Select(e => Regex.Match(e.GetProperty("message").GetString()!, @"endpoint \S+:(\d+):").Groups[1].Value).Distinct().Order());

            health = await api.GetAsync("/health");
            Assert.Equal(HttpStatusCode.OK, health.Status);
            Assert.Equal("Degraded", health.Json.GetProperty("status").GetString());
            Assert.Equal(Strings(status.GetProperty("statusReasons")), Strings(health.Json.GetProperty("reasons")));
            Assert.Equal([(DashboardFixture.Branch, "Degraded", 0, 4), (Topologies.Site, "Healthy", 4, 4)], Sites(health.Json));

            await fixture.Hq.StopAsync();
            var down = await api.UntilAsync("/health", a => a.Status == HttpStatusCode.ServiceUnavailable, "503");

            Assert.Equal("Unhealthy", down.Json.GetProperty("status").GetString());
            Assert.Equal("no-store", down.CacheControl);
            Assert.Contains("no backend endpoint is healthy (8 unhealthy)", Strings(down.Json.GetProperty("reasons")));
            // The listeners are still bound: /ready says the proxy could take clients, /health says it cannot serve them.
            Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/ready")).Status);
            Assert.Equal("Unhealthy", (await api.StatusAsync()).GetProperty("status").GetString());
        }
        finally
        {
            await fixture.BranchBackend.RestartAsync();
            await fixture.Hq.RestartAsync();
        }

        var recovered = await api.UntilAsync("/health", a => a.Status == HttpStatusCode.OK && a.Json.GetProperty("status").GetString() == "Healthy", "healthy again");
        Assert.Empty(recovered.Json.GetProperty("reasons").EnumerateArray());
    }

    private static List<(string Server, string State, JsonElement Element)> Endpoints(JsonElement status) =>
        [.. status.GetProperty("sites").EnumerateArray()
            .SelectMany(s => s.GetProperty("servers").EnumerateArray())
            .SelectMany(s => s.GetProperty("endpoints").EnumerateArray().Select(e => (s.GetProperty("name").GetString()!, e.GetProperty("state").GetString()!, e)))];

    private static List<(string, string, int, int)> Sites(JsonElement health) =>
        [.. health.GetProperty("sites").EnumerateArray().Select(s => (
            s.GetProperty("name").GetString()!, s.GetProperty("status").GetString()!, s.GetProperty("healthyEndpoints").GetInt32(), s.GetProperty("endpoints").GetInt32()))];

    /// <summary>A probe in flight at the kill may fail otherwise (a reset mid-handshake); the next one is refused.</summary>
    private static string? Failure(JsonElement endpoint) =>
        endpoint.GetProperty("lastError") is { ValueKind: JsonValueKind.Object } error ? error.GetProperty("failure").GetString() : null;

    private static List<string> Strings(JsonElement array) => [.. array.EnumerateArray().Select(e => e.GetString()!)];
}
