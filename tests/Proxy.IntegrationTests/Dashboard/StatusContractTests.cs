using System.Net;
using System.Text.Json;
using Proxy.IntegrationTests.EndToEnd;
using Proxy.IntegrationTests.Harness;
using Proxy.IntegrationTests.Ordering;

namespace Proxy.IntegrationTests.Dashboard;

/// <summary>
/// The contract of <c>GET /api/v1/status</c> (docs/dashboard.md) after real sessions through the
/// real proxy to real Dovecots: a login that relays, a wrong password and a cross-site refusal.
/// </summary>
[Collection(DashboardCollection.Name)]
public sealed class StatusContractTests(DashboardFixture fixture)
{
    private const string WrongPassword = "Wr0ng-S3cret-7781";

    [Fact]
    public async Task Status_AfterLoginWrongPasswordAndCrossSiteRefusal_CountsAndListsThem()
    {
        await using var proxy = await fixture.StartProxyAsync();
        using var api = new StatusApi(proxy.HttpPort);

        await using var session = await RawMailClient.ConnectEncryptedAsync(MailProtocolKind.Imap, proxy.ImapsPort, fixture.Pki, implicitTls: true);
        Assert.StartsWith("a OK", await session.ImapCommandAsync("a", $"LOGIN {Topologies.Alice} {Topologies.Password}"));
        await using (var wrong = await RawMailClient.ConnectEncryptedAsync(MailProtocolKind.Imap, proxy.ImapsPort, fixture.Pki, implicitTls: true))
        {
            Assert.StartsWith("a NO", await wrong.ImapCommandAsync("a", $"LOGIN {Topologies.Alice} {WrongPassword}"));
        }

        await using (var crossSite = await RawMailClient.ConnectEncryptedAsync(MailProtocolKind.Imap, proxy.ImapsPort, fixture.Pki, implicitTls: true))
        {
            Assert.StartsWith("a NO [CONTACTADMIN]", await crossSite.ImapCommandAsync("a", $"LOGIN {DashboardFixture.Bob} {Topologies.Password}"));
        }

        // The two refused connections are closed; their sessions leave the registry as the proxy sees the close.
        var answer = await api.UntilAsync("/api/v1/status", a => a.Json.GetProperty("totals").GetProperty("sessions").GetInt32() == 1, "one open session");

        Assert.Equal("no-store", answer.CacheControl);
        Assert.Equal("application/json", answer.MediaType);
        var status = answer.Json;
        StatusShape.AssertContract(status);
        StatusSchema.AssertValid(status, StatusSchema.Load());
        Assert.Equal(1, status.GetProperty("schema").GetInt32());
        Assert.Equal("TEST-PROXY", status.GetProperty("server").GetString());
        Assert.Equal("Healthy", status.GetProperty("status").GetString());
        Assert.True(status.GetProperty("ready").GetBoolean());
        Assert.Empty(status.GetProperty("statusReasons").EnumerateArray());

        // The open session, on the implicit-TLS IMAP listener and the HQ server's IMAP SSL endpoint.
        var listeners = status.GetProperty("listeners").EnumerateArray().ToDictionary(l => l.GetProperty("port").GetInt32());
        Assert.Equal(4, listeners.Count);
        Assert.All(listeners.Values, l => Assert.True(l.GetProperty("bound").GetBoolean()));
        Assert.Equal(1, listeners[proxy.ImapsPort].GetProperty("sessions").GetInt32());
        Assert.True(listeners[proxy.ImapsPort].GetProperty("implicitTls").GetBoolean());
        Assert.Equal("imap", listeners[proxy.ImapsPort].GetProperty("protocol").GetString());
        Assert.Equal(0, listeners[proxy.ImapPort].GetProperty("sessions").GetInt32());

        var sites = status.GetProperty("sites").EnumerateArray().ToList();
        Assert.Equal([DashboardFixture.Branch, Topologies.Site], sites.Select(s => s.GetProperty("name").GetString()));
        var hq = sites[1];
        Assert.Equal(1, hq.GetProperty("sessions").GetInt32());
        // Probes are off here: the session's own attempt made HQ's IMAP SSL endpoint healthy; Branch was never dialled.
        Assert.Equal("Healthy", hq.GetProperty("status").GetString());
        Assert.Equal("Unknown", sites[0].GetProperty("status").GetString());
        var server = Assert.Single(hq.GetProperty("servers").EnumerateArray());
        Assert.Equal(DashboardFixture.HqServer, server.GetProperty("name").GetString());
        Assert.Equal("2013", server.GetProperty("version").GetString());
        Assert.Equal(["Mailbox", "ClientAccess"], server.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
        Assert.False(server.GetProperty("draining").GetBoolean());
        Assert.Equal(1, server.GetProperty("sessions").GetInt32());
        var endpoints = server.GetProperty("endpoints").EnumerateArray().ToList();
        Assert.Equal(
            [$"imap ssl {fixture.Hq.ImapSslPort}", $"imap starttls {fixture.Hq.ImapPort}", $"pop3 ssl {fixture.Hq.Pop3SslPort}", $"pop3 starttls {fixture.Hq.Pop3Port}"],
            endpoints.Select(e => $"{e.GetProperty("protocol").GetString()} {e.GetProperty("method").GetString()} {e.GetProperty("port").GetInt32()}"));
        Assert.Equal([1, 0, 0, 0], endpoints.Select(e => e.GetProperty("sessions").GetInt32()));
        Assert.Equal("Healthy", endpoints[0].GetProperty("state").GetString());
        Assert.Equal("Closed", endpoints[0].GetProperty("breaker").GetString());
        Assert.Equal(JsonValueKind.Null, endpoints[0].GetProperty("lastProbeAt").ValueKind);

        var totals = status.GetProperty("totals");
        Assert.Equal(1, totals.GetProperty("sessionsByProtocol").GetProperty("imap").GetInt32());
        Assert.Equal(0, totals.GetProperty("sessionsByProtocol").GetProperty("pop3").GetInt32());
        Assert.Equal(1, totals.GetProperty("sessionsByState").GetProperty("relaying").GetInt32());
        Assert.Equal(3, totals.GetProperty("loginsPerMinute").GetInt64());
        var expectedLogins = new Dictionary<string, long> { ["success"] = 1, ["invalid_credentials"] = 1, ["cross_site_denied"] = 1 };
        Assert.Equal(expectedLogins, Counts(totals.GetProperty("lastMinute")));
        Assert.Equal(expectedLogins, Counts(totals.GetProperty("last15Minutes")));
        Assert.Equal(expectedLogins, Counts(totals.GetProperty("sinceStart").GetProperty("logins")));
        Assert.Equal(3, totals.GetProperty("sinceStart").GetProperty("sessions").GetInt64());
        Assert.Equal(0, totals.GetProperty("sinceStart").GetProperty("refusedConnections").GetProperty("max_connections").GetInt64());

        // Newest first: the cross-site refusal, then the wrong password.
        var recent = status.GetProperty("recent").EnumerateArray().ToList();
        var crossSiteEvent = recent.First(e => e.GetProperty("eventId").GetInt32() == 1008);
        Assert.Equal("refusal", crossSiteEvent.GetProperty("kind").GetString());
        Assert.Equal("CrossSiteSessionDenied", crossSiteEvent.GetProperty("event").GetString());
        Assert.Equal("Warning", crossSiteEvent.GetProperty("level").GetString());
        Assert.Equal("imap", crossSiteEvent.GetProperty("protocol").GetString());
        Assert.Equal(DashboardFixture.Bob, crossSiteEvent.GetProperty("user").GetString());
        Assert.Equal("127.0.0.1", crossSiteEvent.GetProperty("client").GetString());
        Assert.Contains(DashboardFixture.Branch, crossSiteEvent.GetProperty("message").GetString());
        var wrongPassword = recent.First(e => e.GetProperty("eventId").GetInt32() == 3201);
        Assert.Equal("refusal", wrongPassword.GetProperty("kind").GetString());
        Assert.Equal(Topologies.Alice, wrongPassword.GetProperty("user").GetString());
        Assert.True(recent.IndexOf(crossSiteEvent) < recent.IndexOf(wrongPassword), "newest first");

        var configuration = status.GetProperty("configuration");
        Assert.Equal("SecureLogin", configuration.GetProperty("imap").GetProperty("loginType").GetString());
        Assert.False(configuration.GetProperty("imap").GetProperty("allowCrossSiteSessions").GetBoolean());
        Assert.Equal(1000, configuration.GetProperty("pop3").GetProperty("maxConnectionFromSingleIP").GetInt32());
        Assert.Equal(["ssl", "starttls"], configuration.GetProperty("backends").GetProperty("encryptedClientOrder").EnumerateArray().Select(m => m.GetString()));
        Assert.False(configuration.GetProperty("health").GetProperty("probes").GetBoolean());
        Assert.Equal("00:00:10", configuration.GetProperty("health").GetProperty("probeInterval").GetString());
        Assert.Equal("file", configuration.GetProperty("directory").GetString());

        // Neither the wrong password nor the right one is anywhere in the answer.
        Assert.DoesNotContain(WrongPassword, answer.Text);
        Assert.DoesNotContain(Topologies.Password, answer.Text);
    }

    [Fact]
    public async Task Status_ReadWithCurl_SameContract()
    {
        await using var proxy = await fixture.StartProxyAsync();

        var (exitCode, output, error) = await ExternalProcess.RunAsync(
            TimeSpan.FromSeconds(30), "curl", "--silent", "--show-error", "--include", "--max-time", "20", $"http://127.0.0.1:{proxy.HttpPort}/api/v1/status");

        Assert.True(exitCode == 0, $"curl failed ({exitCode}):\n{error}");
        var text = output.ReplaceLineEndings("\n");
        var headers = text[..text.IndexOf("\n\n", StringComparison.Ordinal)];
        Assert.Contains("HTTP/1.1 200", headers);
        Assert.Contains("Cache-Control: no-store", headers, StringComparison.OrdinalIgnoreCase);
        var status = JsonDocument.Parse(text[(headers.Length + 2)..]).RootElement;
        StatusShape.AssertContract(status);
        StatusSchema.AssertValid(status, StatusSchema.Load());
        Assert.Equal(0, status.GetProperty("totals").GetProperty("sessions").GetInt32());
        Assert.Empty(status.GetProperty("recent").EnumerateArray());
        Assert.All(status.GetProperty("sites").EnumerateArray(), s => Assert.Equal("Unknown", s.GetProperty("status").GetString()));
    }

    [Fact]
    public void Schema_AnswerWithUndeclaredMissingOrOutOfSetFields_Rejected()
    {
        var listener = StatusSchema.Load().GetProperty("properties").GetProperty("listeners").GetProperty("items");
        const string Valid = """{ "protocol": "imap", "address": "127.0.0.1", "port": 143, "implicitTls": false, "bound": true, "sessions": 0 }""";

        StatusSchema.AssertValid(Json(Valid), listener);
        Assert.ThrowsAny<Exception>(() => StatusSchema.AssertValid(Json(Valid.Replace(", \"sessions\": 0", "", StringComparison.Ordinal)), listener));
        Assert.ThrowsAny<Exception>(() => StatusSchema.AssertValid(Json(Valid.Replace("imap", "smtp", StringComparison.Ordinal)), listener));
        Assert.ThrowsAny<Exception>(() => StatusSchema.AssertValid(Json(Valid.Replace("\"sessions\": 0", "\"sessions\": 0, \"extra\": 1", StringComparison.Ordinal)), listener));
    }

    private static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement;

    private static Dictionary<string, long> Counts(JsonElement counts) =>
        counts.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt64());
}
