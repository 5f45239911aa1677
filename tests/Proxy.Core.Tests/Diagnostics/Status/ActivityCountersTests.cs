using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Proxy.Core.Configuration;
using Proxy.Core.Diagnostics;
using Proxy.Core.Diagnostics.Status;
using Proxy.Core.Tests.TestDoubles;

namespace Proxy.Core.Tests.Diagnostics.Status;

public sealed class ActivityCountersTests : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly ServiceProvider _otherProxy = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly ManualTimeProvider _clock = new();

    [Fact]
    public void Counters_ReadTheProxyMetricsOfTheirOwnMeterFactoryOnly()
    {
        var factory = _services.GetRequiredService<IMeterFactory>();
        var metrics = new ProxyMetrics(factory);
        using var counters = new ActivityCounters(factory, _clock);
        var other = new ProxyMetrics(_otherProxy.GetRequiredService<IMeterFactory>());

        metrics.SessionStarted(MailProtocol.Imap);
        metrics.SessionStarted(MailProtocol.Pop3);
        metrics.Login(MailProtocol.Imap, "success");
        metrics.Login(MailProtocol.Pop3, "cross_site_denied");
        metrics.ConnectionRefused(MailProtocol.Imap, "max_connections_per_ip");
        other.SessionStarted(MailProtocol.Imap);
        other.Login(MailProtocol.Imap, "invalid_credentials");

        Assert.Equal(2, counters.SessionsSinceStart);
        Assert.Equal(new Dictionary<string, long> { ["success"] = 1, ["cross_site_denied"] = 1 }, counters.Logins.Within(TimeSpan.FromMinutes(1)));
        Assert.Equal(new Dictionary<string, long> { ["max_connections_per_ip"] = 1 }, counters.Refused.SinceStart());
        Assert.Equal(_clock.GetUtcNow(), counters.StartedAt);
    }

    public void Dispose()
    {
        _services.Dispose();
        _otherProxy.Dispose();
    }
}
