using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Proxy.Core.Discovery;

namespace Proxy.Core.Tests.Discovery;

public sealed class TopologyProviderTests
{
    private static readonly Dictionary<string, string?> TwoServers = new()
    {
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
    };

    private readonly RecordingLogger<TopologyProvider> _logger = new();

    [Fact]
    public void Update_NewSnapshot_CurrentIsTheNewOne()
    {
        var first = TopologyBuilder.Build(LabTopology.Create());
        var second = TopologyBuilder.Build(LabTopology.Create());
        var provider = new TopologyProvider(first);

        provider.Update(second);

        Assert.Same(second, provider.Current);
    }

    [Fact]
    public void Reload_DatabaseMovedToAnotherServer_NewSnapshotInForceAndLogged()
    {
        var (provider, configuration) = Create();

        configuration["Topology:Databases:0:Server"] = "MBX2";
        var changed = provider.Reload(configuration, _logger);

        Assert.True(changed);
        Assert.Equal("MBX2", provider.Current.Databases["DB1"].ServerName);
        Assert.Contains(_logger.Entries, e => e.EventId.Id == 3217 && e.Level == LogLevel.Information);
    }

    [Fact]
    public void Reload_SectionUnchanged_SameSnapshotNothingLogged()
    {
        var (provider, configuration) = Create();
        var before = provider.Current;

        var changed = provider.Reload(configuration, _logger);

        Assert.False(changed);
        Assert.Same(before, provider.Current);
        Assert.Empty(_logger.Entries);
    }

    [Fact]
    public void Reload_InvalidSection_ThrowsLogsAndKeepsPreviousSnapshot()
    {
        var (provider, configuration) = Create();
        var before = provider.Current;

        configuration["Topology:Databases:0:Server"] = "X";
        var error = Assert.Throws<TopologyValidationException>(() => provider.Reload(configuration, _logger));

        Assert.Equal(["Topology:Databases[0]:Server: no server named 'X'"], error.Errors);
        Assert.Same(before, provider.Current);
        var entry = Assert.Single(_logger.Entries, e => e.EventId.Id == 3218);
        Assert.Equal(LogLevel.Error, entry.Level);
        Assert.Contains("Topology:Databases[0]:Server", entry.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Reload_HostCheckFindsAProblem_RefusedAndPreviousSnapshotKept()
    {
        var (provider, configuration) = Create();
        var before = provider.Current;

        configuration["Topology:Databases:0:Server"] = "MBX2";
        var error = Assert.Throws<TopologyValidationException>(() => provider.Reload(configuration, _logger, _ => ["Topology:Servers[MBX2]: loops"]));

        Assert.Equal(["Topology:Servers[MBX2]: loops"], error.Errors);
        Assert.Same(before, provider.Current);
    }

    [Fact]
    public void Reload_AfterRefusal_FixedSectionApplied()
    {
        var (provider, configuration) = Create();
        configuration["Topology:Databases:0:Server"] = "X";
        Assert.Throws<TopologyValidationException>(() => provider.Reload(configuration, _logger));

        configuration["Topology:Databases:0:Server"] = "MBX2";

        Assert.True(provider.Reload(configuration, _logger));
        Assert.Equal("MBX2", provider.Current.Databases["DB1"].ServerName);
    }

    private static (TopologyProvider Provider, IConfigurationRoot Configuration) Create()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(TwoServers).Build();
        var options = TopologyServiceCollectionExtensions.Bind(configuration);
        return (new TopologyProvider(TopologyBuilder.Build(options), options), configuration);
    }
}
