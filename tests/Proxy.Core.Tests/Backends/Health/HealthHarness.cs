using Microsoft.Extensions.Options;
using Proxy.Core.Backends;
using Proxy.Core.Backends.Health;
using Proxy.Core.Configuration;
using Proxy.Core.Discovery;
using Proxy.Core.Tests.Backends.Fakes;
using Proxy.Core.Tests.TestDoubles;

namespace Proxy.Core.Tests.Backends.Health;

/// <summary>A <see cref="BackendHealthMonitor"/> over a topology the test controls, on a manual clock.</summary>
internal sealed class HealthHarness
{
    public HealthHarness(params BackendServer[] servers)
    {
        Topology = new TopologyProvider(Snapshot(servers));
        Monitor = new BackendHealthMonitor(Topology, new OptionsMonitor(Options), Clock, Logger);
    }

    public ManualTimeProvider Clock { get; } = new();

    /// <summary>Thresholds as shipped, unless a test changes them.</summary>
    public ProxyOptions Options { get; } = new();

    public HealthOptions Health => Options.Health;

    public TopologyProvider Topology { get; }

    public ListLogger<BackendHealthMonitor> Logger { get; } = new();

    public BackendHealthMonitor Monitor { get; }

    /// <summary>A server on 127.0.0.1 with the given IMAP endpoints (POP3: none).</summary>
    public static BackendServer Server(string name, params BackendEndpoint[] imap) =>
        new(name, "127.0.0.1", "HQ", ServerVersion.Exchange2007, false, true,
            new Dictionary<MailProtocol, IReadOnlyList<BackendEndpoint>> { [MailProtocol.Imap] = imap },
            new BackendTlsOptions());

    public static BackendEndpoint Ssl(int port) => new("127.0.0.1", port, BackendMethod.Ssl);

    public static BackendEndpoint StartTls(int port) => new("127.0.0.1", port, BackendMethod.StartTls);

    public static BackendEndpoint Plain(int port) => new("127.0.0.1", port, BackendMethod.Plain);

    public static EndpointKey Key(BackendServer server, BackendEndpoint endpoint) => new(server.Name, MailProtocol.Imap, endpoint);

    public static TopologySnapshot Snapshot(params BackendServer[] servers) =>
        new("HQ", ["HQ"], servers.ToDictionary(s => s.Name, StringComparer.OrdinalIgnoreCase), new Dictionary<string, MailboxDatabase>());

    public void ProbeFails(EndpointKey key, int times = 1, BackendFailureKind kind = BackendFailureKind.Connect)
    {
        for (var i = 0; i < times; i++)
        {
            Monitor.ReportProbe(key, ProbeResult.Failed(kind, "connect to 127.0.0.1 failed: Connection refused", TimeSpan.FromMilliseconds(3)));
        }
    }

    public void ProbeSucceeds(EndpointKey key) => Monitor.ReportProbe(key, ProbeResult.Success(TimeSpan.FromMilliseconds(12)));

    /// <summary>Opens the endpoint's breaker with as many failures as the threshold asks.</summary>
    public void OpenBreaker(EndpointKey key) => ProbeFails(key, Health.BreakerFailureThreshold);

    internal sealed class OptionsMonitor(ProxyOptions value) : IOptionsMonitor<ProxyOptions>
    {
        public ProxyOptions CurrentValue => value;

        public ProxyOptions Get(string? name) => value;

        public IDisposable? OnChange(Action<ProxyOptions, string?> listener) => null;
    }
}
