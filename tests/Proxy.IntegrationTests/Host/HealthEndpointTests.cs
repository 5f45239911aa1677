using System.Text.Json;
using Proxy.IntegrationTests.Harness;
using Proxy.IntegrationTests.Infrastructure;

namespace Proxy.IntegrationTests.Host;

/// <summary>The HTTP side of the host: /health tells a load balancer or operator what is listening.</summary>
public sealed class HealthEndpointTests : IDisposable
{
    private readonly TestPki _pki = TestPki.Create();

    [Fact]
    public async Task Health_RunningProxy_ListsEveryMailListener()
    {
        await using var proxy = await ProxyUnderTest.StartAsync(HostAttempt.ValidTopology(), [], _pki.CertificatePath, _pki.KeyPath);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };

        using var response = await http.GetAsync($"http://127.0.0.1:{proxy.HttpPort}/health");

        response.EnsureSuccessStatusCode();
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = json.RootElement;
        Assert.Equal("Healthy", root.GetProperty("status").GetString());
        Assert.Equal("TEST-PROXY", root.GetProperty("server").GetString());
        var listeners = root.GetProperty("listeners").EnumerateArray()
            .Select(l => (l.GetProperty("protocol").GetString(), l.GetProperty("address").GetString(), l.GetProperty("port").GetInt32(), l.GetProperty("implicitTls").GetBoolean()))
            .OrderBy(l => l.Item3)
            .ToList();
        (string?, string?, int, bool)[] expected =
        [
            ("imap", "127.0.0.1", proxy.ImapPort, false),
            ("imap", "127.0.0.1", proxy.ImapsPort, true),
            ("pop3", "127.0.0.1", proxy.Pop3Port, false),
            ("pop3", "127.0.0.1", proxy.Pop3sPort, true),
        ];
        Assert.Equal(expected.OrderBy(l => l.Item3), listeners);
    }

    public void Dispose() => _pki.Dispose();
}
