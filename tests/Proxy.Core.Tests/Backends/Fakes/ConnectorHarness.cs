using Microsoft.Extensions.Options;
using Proxy.Core.Backends;
using Proxy.Core.Backends.Connect;
using Proxy.Core.Backends.Login;
using Proxy.Core.Configuration;
using Proxy.Core.Diagnostics;
using Proxy.Core.Discovery;

namespace Proxy.Core.Tests.Backends.Fakes;

/// <summary>A <see cref="BackendConnector"/> with short timeouts and a logger the test can read.</summary>
internal sealed class ConnectorHarness
{
    /// <param name="metrics">When given, the connector records its attempts and fallbacks there.</param>
    public ConnectorHarness(Action<BackendOptions>? configure = null, ProxyMetrics? metrics = null)
    {
        Options = new ProxyOptions
        {
            Backends = new BackendOptions
            {
                AllowPlaintext = true,
                AttemptTimeout = TimeSpan.FromSeconds(3),
                TotalTimeout = TimeSpan.FromSeconds(6),
                ConnectTimeout = TimeSpan.FromSeconds(1),
            },
        };
        configure?.Invoke(Options.Backends);
        Connector = new BackendConnector(new FixedOptionsMonitor(Options), Logger, TimeProvider.System, [new ImapBackendLogin(ImapLoginLogger), new Pop3BackendLogin(Pop3LoginLogger)], metrics);
    }

    public static BackendCredentials Alice { get; } = new("alice@contoso.lab", "Passw0rd!");

    public ProxyOptions Options { get; }

    public ListLogger<BackendConnector> Logger { get; } = new();

    public ListLogger<ImapBackendLogin> ImapLoginLogger { get; } = new();

    public ListLogger<Pop3BackendLogin> Pop3LoginLogger { get; } = new();

    public BackendConnector Connector { get; }

    public static BackendServer Server(string name, BackendTlsOptions? tls = null) =>
        new(name, "127.0.0.1", "HQ", ServerVersion.Exchange2013, true, true, new Dictionary<MailProtocol, IReadOnlyList<BackendEndpoint>>(), tls ?? new BackendTlsOptions());

    /// <summary>Trusts the test CA through <c>Tls:CaFile</c>.</summary>
    public static BackendServer TrustingServer(string name) =>
        Server(name, new BackendTlsOptions { CaFile = TestCertificates.Shared.CaPemPath });

    public static ConnectionAttempt Attempt(BackendServer server, FakeBackend backend, BackendMethod method) =>
        new(server, backend.Endpoint(method));

    public static ConnectionAttempt ClosedAttempt(BackendServer server, BackendMethod method) =>
        new(server, new BackendEndpoint("127.0.0.1", FakeBackend.ClosedPort(), method));

    public Task<BackendConnectResult> ImapAsync(BackendCredentials credentials, params ConnectionAttempt[] attempts) =>
        Connector.ConnectAsync(MailProtocol.Imap, attempts, credentials, CancellationToken.None);

    public Task<BackendConnectResult> Pop3Async(BackendCredentials credentials, params ConnectionAttempt[] attempts) =>
        Connector.ConnectAsync(MailProtocol.Pop3, attempts, credentials, CancellationToken.None);

    private sealed class FixedOptionsMonitor(ProxyOptions value) : IOptionsMonitor<ProxyOptions>
    {
        public ProxyOptions CurrentValue => value;

        public ProxyOptions Get(string? name) => value;

        public IDisposable? OnChange(Action<ProxyOptions, string?> listener) => null;
    }
}
