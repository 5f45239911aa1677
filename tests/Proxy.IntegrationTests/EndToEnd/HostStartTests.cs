using System.Net;
using System.Net.Sockets;

namespace Proxy.IntegrationTests.EndToEnd;

/// <summary>The proxy's start-up bind check looks at the HTTP endpoint it will really use.</summary>
[Collection(LabCollection.Name)]
public sealed class HostStartTests(LabFixture lab)
{
    private const int DefaultHttpPort = 8080;

    [Fact]
    public async Task StartAsync_DefaultHttpPortTakenButUrlsElsewhere_StartsAndServesHealth()
    {
        // Hold the default port ourselves, unless something on this machine already does.
        using var holder = new TcpListener(IPAddress.Loopback, DefaultHttpPort);
        try
        {
            holder.Start();
        }
        catch (SocketException)
        {
            // Taken already: just as good for this test.
        }

        await using var proxy = await lab.StartProxyAsync();

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var health = await http.GetStringAsync($"http://127.0.0.1:{proxy.HttpPort}/health");
        Assert.Contains("Healthy", health);
    }
}
