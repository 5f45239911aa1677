using System.Net;
using System.Net.Sockets;
using Proxy.Host;
using Proxy.IntegrationTests.Infrastructure;

namespace Proxy.IntegrationTests.Host;

/// <summary>
/// What an operator sees when the host cannot start: the exit code and the one log
/// event that names the cause (Exchange's 1018/1019 for binds, 3003 with the key for configuration).
/// </summary>
public sealed class StartupFailureTests : IDisposable
{
    private const int AddressInUse = 1018;
    private const int AddressNotAvailable = 1019;
    private const int ConfigurationInvalid = 3003;

    private readonly TestPki _pki = TestPki.Create();

    [Fact]
    public async Task StartAsync_ListenerPortInUse_ExitListenerFailedWithEvent1018()
    {
        using var holder = HostAttempt.OccupyPort();
        var port = ((IPEndPoint)holder.LocalEndpoint).Port;

        var outcome = await HostAttempt.StartAsync(_pki, new Dictionary<string, string?> { ["Proxy:Imap:Listeners:0:Port"] = port.ToString() });

        Assert.Equal(ProxyHost.ExitListenerFailed, outcome.ExitCode);
        var entry = Assert.Single(outcome.Logs.WithEventId(AddressInUse));
        Assert.Contains($"127.0.0.1:{port}", entry.Message);
        Assert.Contains("Imap", entry.Message);
    }

    [Fact]
    public async Task StartAsync_AddressNotOnThisHost_ExitListenerFailedWithEvent1019()
    {
        // TEST-NET-1 (RFC 5737): never assigned to a host, so the bind fails; nothing is ever sent.
        var outcome = await HostAttempt.StartAsync(_pki, new Dictionary<string, string?> { ["Proxy:Imap:Listeners:0:Address"] = "192.0.2.1" });

        Assert.Equal(ProxyHost.ExitListenerFailed, outcome.ExitCode);
        var entry = Assert.Single(outcome.Logs.WithEventId(AddressNotAvailable));
        Assert.Contains("192.0.2.1", entry.Message);
    }

    [Fact]
    public async Task StartAsync_ConfiguredHttpPort_DefaultHttpPortBusy_Starts()
    {
        // Urls names a free port; whatever holds 8080 (the lab, another proxy, this test) must not matter.
        using var holder = TryOccupy(8080);

        var outcome = await HostAttempt.StartAsync(_pki, new Dictionary<string, string?>());

        Assert.True(outcome.ExitCode == 0, $"exit code {outcome.ExitCode}:\n{outcome.Logs.AllText}");
    }

    [Fact]
    public async Task StartAsync_OtlpEndpointNotAnHttpAddress_ExitConfigurationInvalidNamingKey()
    {
        var outcome = await HostAttempt.StartAsync(_pki, new Dictionary<string, string?> { ["Proxy:Telemetry:Otlp:Endpoint"] = "collector:4317" });

        AssertConfigurationInvalid(outcome, "Proxy:Telemetry:Otlp:Endpoint");
    }

    [Fact]
    public async Task StartAsync_ListenerPortOutOfRange_ExitConfigurationInvalidNamingKey()
    {
        var outcome = await HostAttempt.StartAsync(_pki, new Dictionary<string, string?> { ["Proxy:Imap:Listeners:0:Port"] = "70000" });

        AssertConfigurationInvalid(outcome, "Proxy:Imap:Listeners:0:Port");
    }

    [Fact]
    public async Task StartAsync_InvalidSettingWithImplicitTlsListener_ExitConfigurationInvalidNamingKey()
    {
        var outcome = await HostAttempt.StartAsync(_pki, new Dictionary<string, string?>
        {
            ["Proxy:Imap:MaxCommandSize"] = "1",
            ["Proxy:Imap:Listeners:1:Address"] = "127.0.0.1",
            ["Proxy:Imap:Listeners:1:Port"] = Ports.GetFreeTcpPort().ToString(),
            ["Proxy:Imap:Listeners:1:ImplicitTls"] = "true",
        });

        AssertConfigurationInvalid(outcome, "Proxy:Imap:MaxCommandSize");
    }

    [Fact]
    public async Task StartAsync_ServerInUnknownSite_ExitConfigurationInvalidNamingKey()
    {
        var topology = HostAttempt.ValidTopology();
        topology.Servers[0].Site = "Atlantis";

        var outcome = await HostAttempt.StartAsync(_pki, new Dictionary<string, string?>(), topology);

        AssertConfigurationInvalid(outcome, "Topology:Servers[0]:Site");
    }

    [Fact]
    public async Task StartAsync_DatabaseOnUnknownServer_ExitConfigurationInvalidNamingKey()
    {
        var topology = HostAttempt.ValidTopology();
        topology.Databases.Add(new Core.Configuration.DatabaseOptions { Name = "HQ-DB-GHOST", Server = "HQ-GHOST" });

        var outcome = await HostAttempt.StartAsync(_pki, new Dictionary<string, string?>(), topology);

        AssertConfigurationInvalid(outcome, "Topology:Databases[1]:Server");
    }

    [Fact]
    public async Task StartAsync_DirectoryFileMissing_ExitConfigurationInvalidNamingKey()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"no-such-directory-{Guid.NewGuid():N}.json");

        var outcome = await HostAttempt.StartAsync(_pki, new Dictionary<string, string?> { ["Proxy:DirectoryFile"] = missing });

        var message = AssertConfigurationInvalid(outcome, "Proxy:DirectoryFile");
        Assert.Contains(missing, message);
    }

    [Fact]
    public async Task StartAsync_BackendEndpointIsOwnListener_ExitConfigurationInvalidNamingTheLoop()
    {
        var port = Ports.GetFreeTcpPort();
        var topology = HostAttempt.ValidTopology();
        topology.Servers[0].Imap.SslPort = port;

        var outcome = await HostAttempt.StartAsync(_pki, new Dictionary<string, string?> { ["Proxy:Imap:Listeners:0:Port"] = port.ToString() }, topology);

        var message = AssertConfigurationInvalid(outcome, "Proxy:Imap:Listeners:0");
        Assert.Contains($"127.0.0.1:{port}", message);
        Assert.Contains("loop", message);
    }

    public void Dispose() => _pki.Dispose();

    private static string AssertConfigurationInvalid(HostAttempt.Outcome outcome, string key)
    {
        Assert.True(outcome.ExitCode == ProxyHost.ExitConfigurationInvalid, $"exit code {outcome.ExitCode}:\n{outcome.Logs.AllText}");
        var messages = outcome.Logs.WithEventId(ConfigurationInvalid).Select(e => e.Message).ToList();
        var naming = messages.FirstOrDefault(m => m.Contains(key, StringComparison.Ordinal));
        Assert.True(naming is not null, $"no event {ConfigurationInvalid} names {key}:\n{outcome.Logs.AllText}");
        return naming;
    }

    /// <summary>Binds the port when it is free; when something else holds it, it is busy anyway.</summary>
    private static TcpListener? TryOccupy(int port)
    {
        var listener = new TcpListener(IPAddress.Loopback, port);
        try
        {
            listener.Start();
            return listener;
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            listener.Dispose();
            return null;
        }
    }
}
