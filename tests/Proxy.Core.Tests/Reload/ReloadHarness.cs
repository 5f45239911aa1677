using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Proxy.Core.Configuration;
using Proxy.Core.Directory;
using Proxy.Core.Discovery;
using Proxy.Core.Reload;
using Proxy.Core.Tests.Directory;
using Proxy.Core.Tests.PreAuth;
using Proxy.Core.Tests.TestDoubles;

namespace Proxy.Core.Tests.Reload;

/// <summary>
/// A reloader over real parts: settings in a JSON file (above an in-memory base holding the
/// topology), the options monitor with the real validator, the topology provider and a file
/// directory, all on a manual clock.
/// </summary>
internal sealed class ReloadHarness : IDisposable
{
    public static readonly TimeSpan SettleDelay = TimeSpan.FromMilliseconds(500);

    private readonly DirectoryFixture _directory = new();
    private readonly ServiceProvider _services;

    public ReloadHarness(IEnumerable<IRestartOnlySetting>? restartOnly = null)
    {
        SettingsFile = Path.Combine(Path.GetDirectoryName(_directory.FilePath)!, "settings.json");
        WriteSettings(new { });
        _directory.WriteUsers(DirectoryFixture.Alice());

        Configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Proxy:TopologyFile"] = "topology.json",
                ["Proxy:DirectoryFile"] = _directory.FilePath,
                ["Topology:LocalSite"] = "HQ",
                ["Topology:Sites:0"] = "HQ",
                ["Topology:Servers:0:Name"] = "MBX1",
                ["Topology:Servers:0:Host"] = "mbx1.contoso.lab",
                ["Topology:Servers:0:Site"] = "HQ",
                ["Topology:Servers:0:Imap:SslPort"] = "993",
                ["Topology:Servers:1:Name"] = "MBX2",
                ["Topology:Servers:1:Host"] = "mbx2.contoso.lab",
                ["Topology:Servers:1:Site"] = "HQ",
                ["Topology:Servers:1:Imap:SslPort"] = "993",
                ["Topology:Databases:0:Name"] = "DB1",
                ["Topology:Databases:0:Server"] = "MBX1",
            })
            .AddJsonFile(SettingsFile, optional: false, reloadOnChange: false)
            .Build();

        var services = new ServiceCollection();
        services.AddOptions<ProxyOptions>().Bind(Configuration.GetSection("Proxy"));
        services.AddSingleton<IValidateOptions<ProxyOptions>, ProxyOptionsValidator>();
        _services = services.BuildServiceProvider();
        Options = new LastKnownGoodOptionsMonitor(_services.GetRequiredService<IOptionsFactory<ProxyOptions>>());

        var topology = TopologyServiceCollectionExtensions.Bind(Configuration);
        Topology = new TopologyProvider(TopologyBuilder.Build(topology), topology);
        Directory = _directory.Create();
        Reloader = new ConfigurationReloader(Configuration, Options, Topology, Directory, restartOnly ?? [], [], Time, Logs, folders: null, SettleDelay);
        Reloader.Start();
    }

    public string SettingsFile { get; }

    public IConfigurationRoot Configuration { get; }

    public LastKnownGoodOptionsMonitor Options { get; }

    public TopologyProvider Topology { get; }

    public FileUserDirectory Directory { get; }

    public ConfigurationReloader Reloader { get; }

    public ManualTimeProvider Time => _directory.Time;

    public RecordingLoggerFactory Logs { get; } = new();

    /// <summary>What the directory logged (its own events: 3206, 3215).</summary>
    public IEnumerable<string> DirectoryEvents(int eventId) => _directory.LogEntries(eventId).Select(e => e.Message);

    public IEnumerable<(Microsoft.Extensions.Logging.LogLevel Level, string Message)> Events(int eventId) =>
        Logs.Entries.Where(e => e.EventId.Id == eventId).Select(e => (e.Level, e.Message));

    /// <summary>Writes the settings file: <paramref name="settings"/> becomes the <c>Proxy</c> section.</summary>
    public void WriteSettings(object settings) =>
        File.WriteAllText(SettingsFile, JsonSerializer.Serialize(new { Proxy = settings }));

    public void WriteSettingsText(string json) => File.WriteAllText(SettingsFile, json);

    public void WriteUsers(params object[] users) => _directory.WriteUsers(users);

    public void WriteDirectoryText(string json) => _directory.Write(json);

    public Task<DirectoryResult> LoginAsync(string name, string password) =>
        Directory.AuthenticateAsync(name, password, CancellationToken.None).AsTask();

    public void Dispose()
    {
        Reloader.Dispose();
        _services.Dispose();
        _directory.Dispose();
    }
}
