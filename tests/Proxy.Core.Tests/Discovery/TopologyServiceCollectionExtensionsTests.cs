using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Proxy.Core.Configuration;
using Proxy.Core.Directory;
using Proxy.Core.Discovery;

namespace Proxy.Core.Tests.Discovery;

public sealed class TopologyServiceCollectionExtensionsTests
{
    private static readonly Dictionary<string, string?> Lab = new()
    {
        ["Topology:LocalSite"] = "HQ",
        ["Topology:Sites:0"] = "HQ",
        ["Topology:Servers:0:Name"] = "MBX1",
        ["Topology:Servers:0:Host"] = "mbx1.contoso.lab",
        ["Topology:Servers:0:Site"] = "HQ",
        ["Topology:Servers:0:Version"] = "2013",
        ["Topology:Servers:0:Imap:SslPort"] = "993",
        ["Topology:Servers:1:Name"] = "MBX2",
        ["Topology:Servers:1:Host"] = "mbx2.contoso.lab",
        ["Topology:Servers:1:Site"] = "HQ",
        ["Topology:Servers:1:Version"] = "2019",
        ["Topology:Servers:1:Imap:SslPort"] = "993",
        ["Topology:Databases:0:Name"] = "DB1",
        ["Topology:Databases:0:Server"] = "MBX1",
    };

    [Fact]
    public void AddTopology_ValidSection_LocatorFindsTheMailbox()
    {
        var (provider, _) = Build(Lab);

        var topology = provider.GetRequiredService<ITopologyProvider>().Current;
        var location = provider.GetRequiredService<IMailboxLocator>().Locate(new MailboxUser("alice@contoso.lab", "DB1", false), MailProtocol.Imap, topology);

        Assert.Equal("MBX1", location!.MailboxServer.Name);
        Assert.Equal([new BackendEndpoint("mbx1.contoso.lab", 993, BackendMethod.Ssl)], Assert.Single(location.Candidates).Endpoints);
    }

    [Fact]
    public void AddTopology_InvalidSection_ResolvingThrowsWithEveryError()
    {
        var (provider, _) = Build(new Dictionary<string, string?>(Lab) { ["Topology:Databases:0:Server"] = "X" });

        var error = Assert.Throws<TopologyValidationException>(provider.GetRequiredService<ITopologyProvider>);

        Assert.Equal(["Topology:Databases[0]:Server: no server named 'X'"], error.Errors);
    }

    [Fact]
    public void AddTopology_ValueOfWrongType_ValidationException()
    {
        var (provider, _) = Build(new Dictionary<string, string?>(Lab) { ["Topology:Servers:0:Imap:SslPort"] = "imaps" });

        var error = Assert.Throws<TopologyValidationException>(provider.GetRequiredService<ITopologyProvider>);

        var message = Assert.Single(error.Errors);
        Assert.StartsWith("Topology:Servers[0]: ", message, StringComparison.Ordinal);
        Assert.Contains("Topology:Servers:0:Imap:SslPort", message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddTopology_MisspeltKey_ValidationException()
    {
        var (provider, _) = Build(new Dictionary<string, string?>(Lab) { ["Topology:Servers:1:Hots"] = "mbx2.contoso.lab" });

        var error = Assert.Throws<TopologyValidationException>(provider.GetRequiredService<ITopologyProvider>);

        var message = Assert.Single(error.Errors);
        Assert.StartsWith("Topology:Servers[1]: ", message, StringComparison.Ordinal);
        Assert.Contains("'Hots'", message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddTopology_MisspeltTopLevelKey_ValidationException()
    {
        var (provider, _) = Build(new Dictionary<string, string?>(Lab) { ["Topology:LocalSit"] = "HQ" });

        var error = Assert.Throws<TopologyValidationException>(provider.GetRequiredService<ITopologyProvider>);

        Assert.Contains("'LocalSit'", Assert.Single(error.Errors), StringComparison.Ordinal);
    }

    private static (ServiceProvider Provider, IConfigurationRoot Configuration) Build(Dictionary<string, string?> values)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddTopology();
        return (services.BuildServiceProvider(), configuration);
    }
}
