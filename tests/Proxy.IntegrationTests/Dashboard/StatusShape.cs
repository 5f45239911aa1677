using System.Text.Json;

namespace Proxy.IntegrationTests.Dashboard;

/// <summary>
/// Every field of the status response with its JSON type and value set, as docs/dashboard.md and
/// docs/api/status.schema.json give them: what the dashboard page and operators' scripts rely on.
/// </summary>
public static class StatusShape
{
    private static readonly string[] Statuses = ["Healthy", "Degraded", "Unhealthy"];
    private static readonly string[] SiteStatuses = ["Healthy", "Degraded", "Unknown"];
    private static readonly string[] Protocols = ["imap", "pop3"];
    private static readonly string[] Methods = ["ssl", "starttls", "plain"];

    public static void AssertContract(JsonElement status)
    {
        Number(status, "schema");
        Text(status, "server");
        Text(status, "version");
        Time(status, "now");
        Time(status, "startedAt");
        OneOf(status, "status", Statuses);
        Bool(status, "ready");
        Assert.All(Array(status, "statusReasons"), r => Assert.Equal(JsonValueKind.String, r.ValueKind));

        foreach (var listener in Array(status, "listeners"))
        {
            OneOf(listener, "protocol", Protocols);
            Text(listener, "address");
            Number(listener, "port");
            Bool(listener, "implicitTls");
            Bool(listener, "bound");
            Number(listener, "sessions");
        }

        foreach (var site in Array(status, "sites"))
        {
            Text(site, "name");
            OneOf(site, "status", SiteStatuses);
            Number(site, "sessions");
            foreach (var server in Array(site, "servers"))
            {
                Text(server, "name");
                OneOf(server, "version", ["2007", "2010", "2013"]);
                Assert.All(Array(server, "roles"), r => Assert.Contains(r.GetString(), new[] { "Mailbox", "ClientAccess" }));
                Bool(server, "draining");
                Number(server, "sessions");
                foreach (var endpoint in Array(server, "endpoints"))
                {
                    OneOf(endpoint, "protocol", Protocols);
                    Text(endpoint, "host");
                    Number(endpoint, "port");
                    OneOf(endpoint, "method", Methods);
                    OneOf(endpoint, "state", ["Healthy", "Unhealthy", "Unknown"]);
                    OneOf(endpoint, "breaker", ["Closed", "Open", "HalfOpen"]);
                    Time(endpoint, "lastProbeAt", nullable: true);
                    Kind(endpoint, "latencyMs", JsonValueKind.Number, nullable: true);
                    Time(endpoint, "stateChangedAt", nullable: true);
                    if (Kind(endpoint, "lastError", JsonValueKind.Object, nullable: true) is { } error)
                    {
                        Time(error, "at");
                        OneOf(error, "source", ["probe", "session"]);
                        Text(error, "failure");
                        Text(error, "message");
                    }

                    Number(endpoint, "sessions");
                }
            }
        }

        var totals = Object(status, "totals");
        Number(totals, "sessions");
        Counts(Object(totals, "sessionsByProtocol"), Protocols);
        Counts(Object(totals, "sessionsByState"), ["preAuth", "loggingIn", "relaying"]);
        Number(totals, "loginsPerMinute");
        Counts(Object(totals, "lastMinute"));
        Counts(Object(totals, "last15Minutes"));
        var sinceStart = Object(totals, "sinceStart");
        Number(sinceStart, "sessions");
        Counts(Object(sinceStart, "logins"));
        Counts(Object(sinceStart, "refusedConnections"), ["max_connections", "max_connections_per_ip", "max_connections_per_user"]);

        var recent = Array(status, "recent");
        Assert.True(recent.Count <= 50, $"{recent.Count} recent entries");
        foreach (var entry in recent)
        {
            Time(entry, "at");
            OneOf(entry, "kind", ["refusal", "error"]);
            Number(entry, "eventId");
            Kind(entry, "event", JsonValueKind.String, nullable: true);
            OneOf(entry, "level", ["Information", "Warning", "Error", "Critical"]);
            foreach (var optional in new[] { "protocol", "user", "client", "server" })
            {
                Kind(entry, optional, JsonValueKind.String, nullable: true);
            }

            Text(entry, "message");
        }

        var configuration = Object(status, "configuration");
        foreach (var protocol in Protocols)
        {
            var settings = Object(configuration, protocol);
            OneOf(settings, "loginType", ["PlainTextLogin", "PlainTextAuthentication", "SecureLogin"]);
            Bool(settings, "allowCrossSiteSessions");
            Number(settings, "maxConnections");
            Number(settings, "maxConnectionFromSingleIP");
            Number(settings, "maxConnectionsPerUser");
            Number(settings, "trustedNetworks");
        }

        var backends = Object(configuration, "backends");
        Bool(backends, "allowPlaintext");
        Assert.All(Array(backends, "encryptedClientOrder"), m => Assert.Contains(m.GetString(), Methods));
        Assert.All(Array(backends, "plaintextClientOrder"), m => Assert.Contains(m.GetString(), Methods));
        var health = Object(configuration, "health");
        Bool(health, "probes");
        Assert.True(TimeSpan.TryParse(health.GetProperty("probeInterval").GetString(), System.Globalization.CultureInfo.InvariantCulture, out _));
        Bool(Object(configuration, "bruteForce"), "enabled");
        Text(configuration, "directory");
        if (Kind(configuration, "lastReload", JsonValueKind.Object, nullable: true) is { } reload)
        {
            Time(reload, "at");
            Bool(reload, "accepted");
            Assert.All(Array(reload, "errors"), e => Assert.Equal(JsonValueKind.String, e.ValueKind));
        }
    }

    private static JsonElement Property(JsonElement parent, string name) =>
        parent.TryGetProperty(name, out var value) ? value : throw new Xunit.Sdk.XunitException($"'{name}' is missing from {parent}");

    private static JsonElement? Kind(JsonElement parent, string name, JsonValueKind kind, bool nullable = false)
    {
        var value = Property(parent, name);
        if (nullable && value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        Assert.True(value.ValueKind == kind, $"'{name}' is {value.ValueKind}, not {kind}: {parent}");
        return value;
    }

    private static void Text(JsonElement parent, string name) => Kind(parent, name, JsonValueKind.String);

    private static void Number(JsonElement parent, string name) => Kind(parent, name, JsonValueKind.Number);

    private static void Bool(JsonElement parent, string name) =>
        Assert.Contains(Property(parent, name).ValueKind, new[] { JsonValueKind.True, JsonValueKind.False });

    private static JsonElement Object(JsonElement parent, string name) => Kind(parent, name, JsonValueKind.Object)!.Value;

    private static List<JsonElement> Array(JsonElement parent, string name) => [.. Kind(parent, name, JsonValueKind.Array)!.Value.EnumerateArray()];

    private static void OneOf(JsonElement parent, string name, string[] values) =>
        Assert.Contains(Kind(parent, name, JsonValueKind.String)!.Value.GetString(), values);

    /// <summary>ISO 8601 UTC with a Z.</summary>
    private static void Time(JsonElement parent, string name, bool nullable = false)
    {
        if (Kind(parent, name, JsonValueKind.String, nullable) is { } value)
        {
            var text = value.GetString()!;
            Assert.EndsWith("Z", text);
            Assert.True(DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out _), $"'{name}': {text}");
        }
    }

    private static void Counts(JsonElement counts, string[]? required = null)
    {
        foreach (var property in counts.EnumerateObject())
        {
            Assert.Equal(JsonValueKind.Number, property.Value.ValueKind);
        }

        foreach (var key in required ?? [])
        {
            Assert.True(counts.TryGetProperty(key, out _), $"'{key}' is missing from {counts}");
        }
    }
}
