using Proxy.IntegrationTests.Harness;

namespace Proxy.IntegrationTests.Telemetry;

/// <summary>Issue 5: the proxy's counters after real sessions against a real Dovecot, read as they are recorded.</summary>
public sealed class LoginMetricsTests(TelemetryFixture fixture) : IClassFixture<TelemetryFixture>
{
    [Theory]
    [InlineData(MailProtocolKind.Imap, "imap")]
    [InlineData(MailProtocolKind.Pop3, "pop3")]
    public async Task CrossSiteRefusal_CountsExactlyOneCrossSiteLogin(MailProtocolKind protocol, string protocolLabel)
    {
        await using var proxy = await fixture.StartProxyAsync();
        using var metrics = new MetricRecorder(proxy);

        var (_, reply) = await TelemetrySession.RunAsync(proxy, protocol, fixture.Pki, TelemetryFixture.Dave);

        Assert.False(TelemetrySession.IsOk(protocol, reply), reply);
        var login = Assert.Single(metrics.Of("proxy.logins"));
        Assert.Equal(1, login.Value);
        Assert.Equal(new Dictionary<string, string?> { ["protocol"] = protocolLabel, ["outcome"] = "cross_site_denied" }, login.Labels);
        // Refused before step 5: no backend was dialled, nothing relayed, the session never left the protocol-only series.
        Assert.Empty(metrics.Of("proxy.backend.attempts"));
        Assert.Empty(metrics.Of("proxy.relay.io"));
        var ended = Assert.Single(await metrics.WaitForAsync("proxy.session.duration", 1));
        Assert.Equal(new Dictionary<string, string?> { ["protocol"] = protocolLabel }, ended.Labels);
        Assert.Equal(0, metrics.Of("proxy.sessions.active").Sum(m => m.Value));
    }

    [Theory]
    [InlineData(MailProtocolKind.Imap, "imap")]
    [InlineData(MailProtocolKind.Pop3, "pop3")]
    public async Task SuccessfulLogin_SessionMovesToItsServerSeriesAndBackOut(MailProtocolKind protocol, string protocolLabel)
    {
        await using var proxy = await fixture.StartProxyAsync();
        using var metrics = new MetricRecorder(proxy);

        var (_, reply) = await TelemetrySession.RunAsync(proxy, protocol, fixture.Pki, TelemetryFixture.Alice);

        Assert.True(TelemetrySession.IsOk(protocol, reply), reply);
        await metrics.WaitForAsync("proxy.session.duration", 1);
        var login = Assert.Single(metrics.Of("proxy.logins"));
        Assert.Equal(("success", protocolLabel), (login["outcome"], login["protocol"]));
        // +1 unassigned at accept; -1 unassigned, +1 on HQ-MBX2013/HQ at login; -1 there at the end.
        var active = metrics.Of("proxy.sessions.active").Select(m => (m.Value, m["server"], m["site"])).ToList();
        (double, string?, string?)[] expected = [(1, null, null), (-1, null, null), (1, TelemetryFixture.HqServer, "HQ"), (-1, TelemetryFixture.HqServer, "HQ")];
        Assert.Equal(expected, active);
        var attempt = Assert.Single(metrics.Of("proxy.backend.attempts"));
        Assert.Equal((TelemetryFixture.HqServer, "ssl", "success"), (attempt["server"], attempt["method"], attempt["outcome"]));
        Assert.Single(metrics.Of("proxy.backend.connect.duration"));
        Assert.Empty(metrics.Of("proxy.backend.fallbacks"));
        var relayed = metrics.Of("proxy.relay.io").GroupBy(m => m["direction"]).ToDictionary(g => g.Key!, g => g.Sum(m => m.Value));
        Assert.True(relayed.GetValueOrDefault("client_to_backend") > 0, "client to backend bytes counted");
        Assert.True(relayed.GetValueOrDefault("backend_to_client") > 0, "backend to client bytes counted");
    }

    [Theory]
    [InlineData(MailProtocolKind.Imap)]
    [InlineData(MailProtocolKind.Pop3)]
    public async Task Fallback_SslPortDead_CountsOneFallbackToStartTls(MailProtocolKind protocol)
    {
        await using var proxy = await fixture.StartProxyAsync(deadSslPort: true);
        using var metrics = new MetricRecorder(proxy);

        var (_, reply) = await TelemetrySession.RunAsync(proxy, protocol, fixture.Pki, TelemetryFixture.Alice);

        Assert.True(TelemetrySession.IsOk(protocol, reply), reply);
        var fallback = Assert.Single(metrics.Of("proxy.backend.fallbacks"));
        Assert.Equal((1, TelemetryFixture.HqServer, "starttls"), (fallback.Value, fallback["server"], fallback["method"]));
        (string?, string?)[] attempts = [("ssl", "connect_failed"), ("starttls", "success")];
        Assert.Equal(attempts, metrics.Of("proxy.backend.attempts").Select(a => (a["method"], a["outcome"])));
        // The latency histogram holds successful attempts only.
        var latency = Assert.Single(metrics.Of("proxy.backend.connect.duration"));
        Assert.Equal("starttls", latency["method"]);
    }
}
