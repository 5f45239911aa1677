using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Proxy.IntegrationTests.Telemetry;

/// <summary>Issue 5: <c>proxy.listener.state</c>, one gauge series per mail listener.</summary>
public sealed class ListenerStateTests(TelemetryFixture fixture) : IClassFixture<TelemetryFixture>
{
    [Fact]
    public async Task RunningProxy_EveryListenerIsOne_StoppingDropsThemToZero()
    {
        await using var proxy = await fixture.StartProxyAsync();
        using var metrics = new MetricRecorder(proxy);

        metrics.Observe();
        var running = metrics.Of("proxy.listener.state");
        proxy.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication();
        metrics.Observe();
        var stopping = metrics.Of("proxy.listener.state").Skip(running.Count).ToList();

        (string?, string?, string?, string?)[] expected =
        [
            ("imap", "127.0.0.1", proxy.ImapPort.ToString(), "false"),
            ("imap", "127.0.0.1", proxy.ImapsPort.ToString(), "true"),
            ("pop3", "127.0.0.1", proxy.Pop3Port.ToString(), "false"),
            ("pop3", "127.0.0.1", proxy.Pop3sPort.ToString(), "true"),
        ];
        Assert.Equal(expected, Listeners(running));
        Assert.All(running, m => Assert.Equal(1, m.Value));
        Assert.Equal(expected, Listeners(stopping));
        Assert.All(stopping, m => Assert.Equal(0, m.Value));
    }

    private static IEnumerable<(string?, string?, string?, string?)> Listeners(IEnumerable<Measured> measurements) =>
        measurements.Select(m => (m["protocol"], m["server.address"], m["server.port"], m["implicit_tls"])).Order();
}
