using Proxy.IntegrationTests.Harness;
using static Proxy.IntegrationTests.Reload.ReloadFixture;
using static Proxy.IntegrationTests.Reload.ReloadSteps;

namespace Proxy.IntegrationTests.Reload;

/// <summary>An operator edits the topology file of a running proxy: no restart, sessions keep their backend.</summary>
[Collection(ReloadCollection.Name)]
public sealed class TopologyReloadTests(ReloadFixture fixture)
{
    [Fact]
    public async Task TopologyEdit_DatabaseMovedToAnotherServer_NextLoginLandsThereWhileOpenSessionStays()
    {
        await using var proxy = await fixture.StartProxyAsync();
        using var openBefore = await LoginAsync(proxy, fixture.Pki, Alice, Password);
        Assert.Equal(InstanceA, await ServedByAsync(openBefore));

        await ReplaceFileAsync(proxy.TopologyFile, ProxyUnderTest.TopologyJson(fixture.Topology(db1Server: "MBX-B")));
        await WaitForEventAsync(proxy.Logs, Reloaded, "(file change): topology");

        Assert.Equal(InstanceB, await ServedByAsync(proxy, fixture.Pki, Alice));
        await openBefore.NoOpAsync();
        Assert.Equal(InstanceA, await ServedByAsync(openBefore));
    }

    [Fact]
    public async Task TopologyEdit_DatabaseOnUnknownServer_RefusedWithKeyAndOldTopologyServes()
    {
        await using var proxy = await fixture.StartProxyAsync();

        await File.WriteAllTextAsync(proxy.TopologyFile, ProxyUnderTest.TopologyJson(fixture.Topology(db1Server: "MBX-GONE")));
        var refusal = await WaitForEventAsync(proxy.Logs, Refused, "Topology:Databases[0]:Server: no server named 'MBX-GONE'");

        Assert.Contains("the new topology", refusal.Message);
        Assert.Equal(InstanceA, await ServedByAsync(proxy, fixture.Pki, Alice));
        Assert.Empty(proxy.Logs.WithEventId(Reloaded));
    }

    [Fact]
    public async Task TopologyFile_NotValidJson_RefusedNamingTheFileOldTopologyServesUntilFixed()
    {
        await using var proxy = await fixture.StartProxyAsync();

        await File.WriteAllTextAsync(proxy.TopologyFile, """{ "Topology": { "LocalSite": "HQ", """);
        await WaitForEventAsync(proxy.Logs, Refused, proxy.TopologyFile);
        Assert.Equal(InstanceA, await ServedByAsync(proxy, fixture.Pki, Alice));

        await ReplaceFileAsync(proxy.TopologyFile, ProxyUnderTest.TopologyJson(fixture.Topology(db1Server: "MBX-B")));
        await WaitForEventAsync(proxy.Logs, Reloaded, "topology");

        Assert.Equal(InstanceB, await ServedByAsync(proxy, fixture.Pki, Alice));
    }
}
