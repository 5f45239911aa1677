using System.Net;
using System.Text.Json;
using Proxy.IntegrationTests.Harness;
using Proxy.IntegrationTests.Ordering;

namespace Proxy.IntegrationTests.Admin;

/// <summary>The admin API's contract (docs/admin.md): routes, status codes, JSON shapes, and who may call it.</summary>
public sealed class AdminApiTests(ClientAccessFixture fixture) : IClassFixture<ClientAccessFixture>
{
    private const string Token = "correct-horse-battery-staple";

    [Fact]
    public async Task GetSessions_RelayingImapAndPreAuthPop3_ListsBothWithEveryField()
    {
        await using var proxy = await AdminTopology.StartProxyAsync(fixture);
        using var api = new AdminApi(proxy.HttpPort);
        await using var imap = await AdminTopology.ImapSessionAsync(proxy, fixture, Topologies.Carol);
        await using var pop3 = await RawMailClient.ConnectAsync(proxy.Pop3sPort, fixture.Pki);
        await pop3.ReadLineAsync();

        var list = await api.GetAsync("/admin/sessions");

        Assert.Equal(2, list.GetProperty("count").GetInt32());
        var sessions = list.GetProperty("sessions").EnumerateArray().ToList();
        var relaying = Assert.Single(sessions, s => s.GetProperty("protocol").GetString() == "imap");
        Assert.Equal("relaying", relaying.GetProperty("state").GetString());
        Assert.Equal(Topologies.Carol, relaying.GetProperty("user").GetString());
        Assert.Equal(JsonValueKind.Null, relaying.GetProperty("closing").ValueKind);
        Assert.False(string.IsNullOrEmpty(relaying.GetProperty("id").GetString()));
        Assert.StartsWith("127.0.0.1:", relaying.GetProperty("client").GetString());
        Assert.Equal($"127.0.0.1:{proxy.ImapsPort}", relaying.GetProperty("listener").GetString());
        var backend = relaying.GetProperty("backend");
        Assert.Contains(backend.GetProperty("server").GetString(), new[] { AdminTopology.CasA, AdminTopology.CasB });
        Assert.Equal("ssl", backend.GetProperty("method").GetString());
        Assert.EndsWith(":Ssl", backend.GetProperty("endpoint").GetString());
        Assert.True(relaying.GetProperty("startedAt").GetDateTimeOffset() <= DateTimeOffset.UtcNow);
        Assert.True(relaying.GetProperty("bytesClientToBackend").GetInt64() > 0, "SELECT crossed the relay");
        Assert.True(relaying.GetProperty("bytesBackendToClient").GetInt64() > 0);

        var preAuth = Assert.Single(sessions, s => s.GetProperty("protocol").GetString() == "pop3");
        Assert.Equal("pre-auth", preAuth.GetProperty("state").GetString());
        Assert.Equal(JsonValueKind.Null, preAuth.GetProperty("user").ValueKind);
        Assert.Equal(JsonValueKind.Null, preAuth.GetProperty("backend").ValueKind);
        Assert.Equal(0, preAuth.GetProperty("bytesBackendToClient").GetInt64());
    }

    [Fact]
    public async Task GetServers_EveryTopologyServerWithEndpointsDrainFlagsAndSessionCounts()
    {
        await using var proxy = await AdminTopology.StartProxyAsync(fixture);
        using var api = new AdminApi(proxy.HttpPort);
        await using var imap = await AdminTopology.ImapSessionAsync(proxy, fixture, Topologies.Carol);
        var busy = await api.ServerOfAsync(Topologies.Carol);
        await api.PostAsync($"/admin/servers/{AdminTopology.Cas2010}/pop3/ssl/drain");

        var servers = (await api.GetAsync("/admin/servers")).GetProperty("servers").EnumerateArray().ToDictionary(s => s.GetProperty("name").GetString()!);

        Assert.Equal(["HQ-CAS2007A", "HQ-CAS2007B", "HQ-CAS2010", "HQ-MBX2007", "HQ-MBX2010"], servers.Keys.Order());
        var cas = servers[busy];
        Assert.Equal("HQ", cas.GetProperty("site").GetString());
        Assert.Equal("2007", cas.GetProperty("version").GetString());
        Assert.False(cas.GetProperty("draining").GetBoolean());
        Assert.Equal(1, cas.GetProperty("sessions").GetInt32());
        var endpoints = cas.GetProperty("endpoints").EnumerateArray().ToList();
        Assert.Contains(endpoints, e => e.GetProperty("protocol").GetString() == "imap" && e.GetProperty("method").GetString() == "ssl"
            && e.GetProperty("host").GetString() == "127.0.0.1" && e.GetProperty("port").GetInt32() > 0 && e.GetProperty("sessions").GetInt32() == 1);
        Assert.All(endpoints, e => Assert.False(e.GetProperty("draining").GetBoolean()));

        var cas2010 = servers[AdminTopology.Cas2010];
        Assert.False(cas2010.GetProperty("draining").GetBoolean());
        Assert.Equal(
            [("imap", "ssl", false), ("pop3", "ssl", true)],
            cas2010.GetProperty("endpoints").EnumerateArray().Select(e => (e.GetProperty("protocol").GetString(), e.GetProperty("method").GetString(), e.GetProperty("draining").GetBoolean())));
    }

    [Fact]
    public async Task DrainAndUndrain_Answers_ShowWhatIsDrainingNow()
    {
        await using var proxy = await AdminTopology.StartProxyAsync(fixture);
        using var api = new AdminApi(proxy.HttpPort);

        var drained = await api.PostAsync("/admin/servers/hq-cas2007a/drain");
        Assert.Equal("HQ-CAS2007A", drained.GetProperty("server").GetString());
        Assert.Equal(JsonValueKind.Null, drained.GetProperty("endpoint").ValueKind);
        Assert.True(drained.GetProperty("draining").GetBoolean());
        Assert.Equal(0, drained.GetProperty("closedSessions").GetInt32());

        // Lifting one endpoint's mark leaves it draining while the whole server is.
        var endpoint = await api.PostAsync("/admin/servers/HQ-CAS2007A/IMAP/SSL/undrain");
        Assert.Equal("imap/ssl", endpoint.GetProperty("endpoint").GetString());
        Assert.True(endpoint.GetProperty("draining").GetBoolean());

        var undrained = await api.PostAsync("/admin/servers/HQ-CAS2007A/undrain");
        Assert.False(undrained.GetProperty("draining").GetBoolean());
        var servers = (await api.GetAsync("/admin/servers")).GetProperty("servers").EnumerateArray();
        Assert.All(servers, s => Assert.False(s.GetProperty("draining").GetBoolean()));
    }

    [Theory]
    [InlineData("POST", "/admin/servers/NO-SUCH-SERVER/drain", HttpStatusCode.NotFound, "NO-SUCH-SERVER")]
    [InlineData("POST", "/admin/servers/NO-SUCH-SERVER/undrain", HttpStatusCode.NotFound, "NO-SUCH-SERVER")]
    [InlineData("POST", "/admin/servers/HQ-CAS2007A/smtp/ssl/drain", HttpStatusCode.BadRequest, "smtp/ssl")]
    [InlineData("POST", "/admin/servers/HQ-CAS2007A/imap/tls/drain", HttpStatusCode.BadRequest, "imap/tls")]
    [InlineData("POST", "/admin/sessions/no-such-session/close", HttpStatusCode.NotFound, "no-such-session")]
    public async Task BadTargets_AnsweredWithAnErrorNamingThem(string method, string path, HttpStatusCode status, string named)
    {
        await using var proxy = await AdminTopology.StartProxyAsync(fixture);
        using var api = new AdminApi(proxy.HttpPort);

        var error = await api.JsonAsync(new HttpMethod(method), path, status);

        Assert.Contains(named, error.GetProperty("error").GetString());
    }

    [Fact]
    public async Task WrongVerbOrUnknownPath_405And404()
    {
        await using var proxy = await AdminTopology.StartProxyAsync(fixture);
        using var api = new AdminApi(proxy.HttpPort);

        using var get = await api.SendAsync(HttpMethod.Get, "/admin/servers/HQ-CAS2007A/drain");
        using var unknown = await api.SendAsync(HttpMethod.Get, "/admin/nothing-here");

        Assert.Equal(HttpStatusCode.MethodNotAllowed, get.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task Kick_UserWithoutSessions_ZeroClosed()
    {
        await using var proxy = await AdminTopology.StartProxyAsync(fixture);
        using var api = new AdminApi(proxy.HttpPort);

        var kick = await api.PostAsync("/admin/users/nobody%40contoso.lab/kick");

        Assert.Equal("nobody@contoso.lab", kick.GetProperty("user").GetString());
        Assert.Equal(0, kick.GetProperty("closedSessions").GetInt32());
    }

    [Fact]
    public async Task CloseSession_PreAuthImap_ClientToldByeAndDisconnected()
    {
        await using var proxy = await AdminTopology.StartProxyAsync(fixture);
        using var api = new AdminApi(proxy.HttpPort);
        await using var client = await RawMailClient.ConnectAsync(proxy.ImapsPort, fixture.Pki);
        await client.ReadLineAsync();
        var id = Assert.Single(await api.SessionsAsync()).GetProperty("id").GetString()!;

        var closed = await api.PostAsync($"/admin/sessions/{id}/close");

        Assert.Equal(id, closed.GetProperty("id").GetString());
        Assert.True(closed.GetProperty("closing").GetBoolean());
        Assert.Equal("* BYE Session ended by the administrator; please reconnect.", await client.ReadLineAsync());
        Assert.True(await client.ClosedByPeerWithinAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task TokenConfigured_EveryRequestNeedsTheBearerToken_EvenFromLoopback()
    {
        await using var proxy = await AdminTopology.StartProxyAsync(fixture, settings: new Dictionary<string, string?> { ["Proxy:Admin:Token"] = Token });
        using var anonymous = new AdminApi(proxy.HttpPort);
        using var wrong = new AdminApi(proxy.HttpPort, "not-the-right-token-at-all");
        using var right = new AdminApi(proxy.HttpPort, Token);

        using (var response = await anonymous.SendAsync(HttpMethod.Get, "/admin/sessions"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal("Bearer", Assert.Single(response.Headers.WwwAuthenticate).Scheme);
        }

        Assert.Contains("Bearer", (await wrong.GetAsync("/admin/sessions", HttpStatusCode.Unauthorized)).GetProperty("error").GetString());
        // Unmatched paths are guarded as well: no probing the routes without the token.
        await anonymous.GetAsync("/admin/nothing-here", HttpStatusCode.Unauthorized);
        Assert.Equal(0, (await right.GetAsync("/admin/sessions")).GetProperty("count").GetInt32());
        Assert.Equal(3, proxy.Logs.WithEventId(3558).Count());
        Assert.DoesNotContain(Token, proxy.Logs.AllText);
    }

    [Fact]
    public async Task NoToken_BrowserAttacksFromLoopback_Refused()
    {
        await using var proxy = await AdminTopology.StartProxyAsync(fixture);
        using var api = new AdminApi(proxy.HttpPort);

        // DNS rebinding: a page on evil.example whose name now resolves to 127.0.0.1.
        var rebinding = await api.JsonAsync(HttpMethod.Get, "/admin/sessions", HttpStatusCode.Forbidden, r => r.Headers.Host = "evil.example");
        // A cross-site form post from a page the operator has open.
        var crossSite = await api.JsonAsync(HttpMethod.Post, "/admin/users/carol%40contoso.lab/kick", HttpStatusCode.Forbidden,
            r => r.Headers.Add("Origin", "https://evil.example"));
        // The proxy's own pages (the dashboard) may post.
        await api.JsonAsync(HttpMethod.Post, "/admin/users/carol%40contoso.lab/kick", HttpStatusCode.OK,
            r => r.Headers.Add("Origin", $"http://127.0.0.1:{proxy.HttpPort}"));

        Assert.Contains("loopback host name", rebinding.GetProperty("error").GetString());
        Assert.Contains("cross-origin", crossSite.GetProperty("error").GetString());
    }
}
