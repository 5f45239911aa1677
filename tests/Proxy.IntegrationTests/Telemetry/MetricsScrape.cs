using System.Text.RegularExpressions;
using Proxy.IntegrationTests.Harness;

namespace Proxy.IntegrationTests.Telemetry;

/// <summary>
/// A proxy that has seen one of everything its metrics count (a fallback, a refusal, relayed
/// sessions of both protocols, sessions ended), and its <c>/metrics</c> page. The Prometheus
/// exporter only shows a series once it has a value, so this is what a scrape of a proxy in
/// service looks like.
/// </summary>
internal static partial class MetricsScrape
{
    public static async Task<ProxyUnderTest> BusyProxyAsync(TelemetryFixture fixture)
    {
        var proxy = await fixture.StartProxyAsync(deadSslPort: true);
        try
        {
            using var metrics = new MetricRecorder(proxy);
            await TelemetrySession.RunAsync(proxy, MailProtocolKind.Imap, fixture.Pki, TelemetryFixture.Alice);
            await TelemetrySession.RunAsync(proxy, MailProtocolKind.Pop3, fixture.Pki, TelemetryFixture.Alice);
            await TelemetrySession.RunAsync(proxy, MailProtocolKind.Imap, fixture.Pki, TelemetryFixture.Dave);
            await metrics.WaitForAsync("proxy.session.duration", 3);
            return proxy;
        }
        catch
        {
            await proxy.DisposeAsync();
            throw;
        }
    }

    public static async Task<(string ContentType, string Text)> GetAsync(ProxyUnderTest proxy)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(15) };
        using var response = await http.GetAsync($"http://127.0.0.1:{proxy.HttpPort}/metrics");
        response.EnsureSuccessStatusCode();
        return (response.Content.Headers.ContentType?.ToString() ?? "", await response.Content.ReadAsStringAsync());
    }

    /// <summary>The names of the samples on a Prometheus text page (<c>name{labels} value</c> lines).</summary>
    public static HashSet<string> SampleNames(string text) =>
        text.Split('\n')
            .Where(line => line.Length > 0 && line[0] != '#')
            .Select(line => SampleName().Match(line).Value)
            .Where(name => name.Length > 0)
            .ToHashSet(StringComparer.Ordinal);

    /// <summary>The sample lines of <paramref name="name"/>, e.g. <c>proxy_listener_state{…} 1</c>.</summary>
    public static IReadOnlyList<string> Samples(string text, string name) =>
        text.Split('\n').Where(line => line.StartsWith(name + "{", StringComparison.Ordinal) || line.StartsWith(name + " ", StringComparison.Ordinal)).ToList();

    [GeneratedRegex("^[a-zA-Z_:][a-zA-Z0-9_:]*")]
    private static partial Regex SampleName();
}
