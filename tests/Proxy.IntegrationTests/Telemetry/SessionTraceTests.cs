using System.Diagnostics;
using Proxy.IntegrationTests.Harness;

namespace Proxy.IntegrationTests.Telemetry;

/// <summary>Issue 5: the spans of real sessions, as the proxy's tracer provider exports them.</summary>
public sealed class SessionTraceTests(TelemetryFixture fixture) : IClassFixture<TelemetryFixture>
{
    [Theory]
    [InlineData(MailProtocolKind.Imap, "imap")]
    [InlineData(MailProtocolKind.Pop3, "pop3")]
    public async Task SuccessfulLogin_SessionSpanHasStepChildrenInOrderWithAttributes(MailProtocolKind protocol, string protocolName)
    {
        var spans = new SpanCollector();
        await using var proxy = await fixture.StartProxyAsync(configure: spans.AddTo);
        var listenerPort = protocol == MailProtocolKind.Imap ? proxy.ImapsPort : proxy.Pop3sPort;
        var sslPort = protocol == MailProtocolKind.Imap ? fixture.Backend.ImapSslPort : fixture.Backend.Pop3SslPort;

        var (clientPort, reply) = await TelemetrySession.RunAsync(proxy, protocol, fixture.Pki, TelemetryFixture.Alice);
        var trace = await spans.SessionAsync(clientPort);

        Assert.True(TelemetrySession.IsOk(protocol, reply), reply);
        var session = trace.Session;
        Assert.Equal(ActivityKind.Server, session.Kind);
        Assert.Equal(ActivityStatusCode.Unset, session.Status);
        AssertTags(session, new()
        {
            ["network.protocol.name"] = protocolName,
            ["client.address"] = "127.0.0.1",
            ["client.port"] = clientPort,
            ["server.port"] = listenerPort,
            ["enduser.id"] = TelemetryFixture.Alice,
            ["proxy.login.outcome"] = "success",
            ["proxy.backend.server"] = TelemetryFixture.HqServer,
            ["proxy.backend.site"] = "HQ",
            ["proxy.backend.method"] = "ssl",
        });
        Assert.Equal(["authenticate", "discover", "policy", "backend", "relay"], trace.Steps.Select(s => s.OperationName));
        Assert.All(trace.Steps, s => Assert.NotEqual(ActivityStatusCode.Error, s.Status));
        var steps = trace.Steps.ToDictionary(s => s.OperationName);
        AssertTags(steps["authenticate"], new() { ["proxy.auth.outcome"] = "success" });
        AssertTags(steps["discover"], new() { ["proxy.mailbox.server"] = TelemetryFixture.HqServer, ["proxy.mailbox.site"] = "HQ" });
        AssertTags(steps["policy"], new() { ["proxy.policy.decision"] = "allowed" });
        AssertTags(steps["backend"], new() { ["proxy.backend.outcome"] = "success", ["proxy.backend.method"] = "ssl" });
        var attempt = Assert.Single(trace.ChildrenOf(steps["backend"]));
        Assert.Equal(("backend.attempt", ActivityKind.Client), (attempt.OperationName, attempt.Kind));
        AssertTags(attempt, new()
        {
            ["proxy.backend.server"] = TelemetryFixture.HqServer,
            ["proxy.backend.method"] = "ssl",
            ["proxy.backend.outcome"] = "success",
            ["proxy.backend.attempt"] = 1,
            ["server.address"] = "127.0.0.1",
            ["server.port"] = sslPort,
            ["network.peer.address"] = "127.0.0.1",
        });
        Assert.Equal("backend_closed", steps["relay"].GetTagItem("proxy.relay.end"));
        Assert.True((long)steps["relay"].GetTagItem("proxy.relay.backend_to_client_bytes")! > 0);
        AssertNoPassword(trace);
    }

    [Fact]
    public async Task Fallback_SslPortDead_OneFailedAttemptSpanThenOneSuccessful()
    {
        var spans = new SpanCollector();
        await using var proxy = await fixture.StartProxyAsync(deadSslPort: true, configure: spans.AddTo);

        var (clientPort, _) = await TelemetrySession.RunAsync(proxy, MailProtocolKind.Imap, fixture.Pki, TelemetryFixture.Alice);
        var trace = await spans.SessionAsync(clientPort);

        var backend = Assert.Single(trace.Steps, s => s.OperationName == "backend");
        Assert.Collection(
            trace.ChildrenOf(backend),
            failed =>
            {
                Assert.Equal(ActivityStatusCode.Error, failed.Status);
                AssertTags(failed, new()
                {
                    ["proxy.backend.method"] = "ssl",
                    ["proxy.backend.attempt"] = 1,
                    ["proxy.backend.outcome"] = "connect_failed",
                    ["error.type"] = "connect_failed",
                    ["proxy.backend.state"] = "connect",
                });
            },
            succeeded =>
            {
                Assert.Equal(ActivityStatusCode.Unset, succeeded.Status);
                AssertTags(succeeded, new()
                {
                    ["proxy.backend.method"] = "starttls",
                    ["proxy.backend.attempt"] = 2,
                    ["proxy.backend.outcome"] = "success",
                    ["server.port"] = fixture.Backend.ImapPort,
                });
            });
        Assert.Equal(ActivityStatusCode.Unset, trace.Session.Status);
        AssertNoPassword(trace);
    }

    [Fact]
    public async Task CrossSiteRefusal_PolicySpanAndSessionFailWithErrorType()
    {
        var spans = new SpanCollector();
        await using var proxy = await fixture.StartProxyAsync(configure: spans.AddTo);

        var (clientPort, _) = await TelemetrySession.RunAsync(proxy, MailProtocolKind.Imap, fixture.Pki, TelemetryFixture.Dave);
        var trace = await spans.SessionAsync(clientPort);

        Assert.Equal(["authenticate", "discover", "policy"], trace.Steps.Select(s => s.OperationName));
        var policy = trace.Steps[2];
        Assert.Equal(ActivityStatusCode.Error, policy.Status);
        AssertTags(policy, new() { ["proxy.policy.decision"] = "cross_site_denied", ["error.type"] = "cross_site_denied" });
        AssertTags(trace.Steps[1], new() { ["proxy.mailbox.site"] = "Branch" });
        Assert.Equal(ActivityStatusCode.Error, trace.Session.Status);
        AssertTags(trace.Session, new()
        {
            ["enduser.id"] = TelemetryFixture.Dave,
            ["proxy.login.outcome"] = "cross_site_denied",
            ["error.type"] = "cross_site_denied",
        });
        AssertNoPassword(trace);
    }

    [Fact]
    public async Task WrongPassword_NeitherPasswordInAnySpanAndNoUserNameGuessed()
    {
        var spans = new SpanCollector();
        await using var proxy = await fixture.StartProxyAsync(configure: spans.AddTo);
        // Someone typing the password into the user field: the typed name must not reach the trace either.
        const string typedUser = "Wr0ng-Typed-Secret";

        var (clientPort, reply) = await TelemetrySession.RunAsync(proxy, MailProtocolKind.Imap, fixture.Pki, typedUser, "Wr0ng-Pass-Secret");
        var trace = await spans.SessionAsync(clientPort);

        Assert.StartsWith("a NO", reply);
        var authenticate = Assert.Single(trace.Steps);
        Assert.Equal(("authenticate", ActivityStatusCode.Error), (authenticate.OperationName, authenticate.Status));
        AssertTags(authenticate, new() { ["error.type"] = "invalid_credentials" });
        Assert.Null(trace.Session.GetTagItem("enduser.id"));
        foreach (var secret in new[] { typedUser, "Wr0ng-Pass-Secret" })
        {
            Assert.DoesNotContain(trace.All.SelectMany(Texts), text => text.Contains(secret, StringComparison.Ordinal));
        }
    }

    private static void AssertTags(Activity span, Dictionary<string, object> expected)
    {
        foreach (var (key, value) in expected)
        {
            Assert.True(Equals(value, span.GetTagItem(key)), $"{span.OperationName}: {key} is '{span.GetTagItem(key)}', expected '{value}'");
        }
    }

    /// <summary>Every attribute value, status description and event of every span of the session.</summary>
    private static void AssertNoPassword(SessionTrace trace) =>
        Assert.DoesNotContain(trace.All.SelectMany(Texts), text => text.Contains(TelemetryFixture.Password, StringComparison.Ordinal));

    private static IEnumerable<string> Texts(Activity span) =>
        span.TagObjects.Select(t => t.Value?.ToString() ?? "")
            .Append(span.StatusDescription ?? "")
            .Append(span.DisplayName)
            .Concat(span.Events.SelectMany(e => e.Tags.Select(t => t.Value?.ToString() ?? "").Append(e.Name)))
            .Concat(span.Baggage.Select(b => b.Value ?? ""));
}
