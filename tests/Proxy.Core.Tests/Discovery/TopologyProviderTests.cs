using Proxy.Core.Discovery;

namespace Proxy.Core.Tests.Discovery;

public sealed class TopologyProviderTests
{
    [Fact]
    public void Update_NewSnapshot_CurrentIsTheNewOne()
    {
        var first = TopologyBuilder.Build(LabTopology.Create());
        var second = TopologyBuilder.Build(LabTopology.Create());
        var provider = new TopologyProvider(first);

        provider.Update(second);

        Assert.Same(second, provider.Current);
    }
}
