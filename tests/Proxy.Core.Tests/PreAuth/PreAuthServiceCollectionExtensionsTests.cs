using Microsoft.Extensions.DependencyInjection;
using Proxy.Core.Configuration;
using Proxy.Core.PreAuth;

namespace Proxy.Core.Tests.PreAuth;

public sealed class PreAuthServiceCollectionExtensionsTests
{
    [Fact]
    public void AddPreAuthDialogues_CalledTwice_RegistersOneFactoryPerProtocol()
    {
        var services = new ServiceCollection().AddPreAuthDialogues().AddPreAuthDialogues();
        services.Configure<ProxyOptions>(_ => { });
        using var provider = services.BuildServiceProvider();

        var factories = provider.GetServices<IFrontEndDialogueFactory>().ToList();

        Assert.Equal([MailProtocol.Imap, MailProtocol.Pop3], factories.Select(f => f.Protocol).Order());
    }
}
